export interface SplitOptions {
  /** Lines that do not match start no event: they continue the previous one (stack traces). */
  multilineStart?: RegExp;
  maxLineBytes: number;
  /** Emit the last event even though it might still grow (the file went quiet or away). */
  flush: boolean;
}

export interface Split {
  events: string[];
  /** Bytes of the chunk that the events account for; the rest is read again next time. */
  consumed: number;
  /** True when a possibly unfinished multiline event was held back. */
  holding: boolean;
}

const NL = 0x0a;

/**
 * Cuts a chunk of a file into events. Only complete lines are consumed, so a
 * line still being written is read again when its newline arrives (a line
 * with no newline is taken when the file goes quiet or reaches the line
 * limit). Invalid UTF-8 becomes U+FFFD, never an error.
 */
export function splitEvents(chunk: Buffer, options: SplitOptions): Split {
  let end = chunk.lastIndexOf(NL) + 1;
  if (end === 0 && chunk.length > 0 && (chunk.length >= options.maxLineBytes || options.flush)) end = chunk.length; // an overlong line, or a last line without newline
  if (end === 0) return { events: [], consumed: 0, holding: false };
  const lines = chunk.toString('utf8', 0, end).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const clean = lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (!options.multilineStart) return { events: clean.filter((l) => l.length > 0), consumed: end, holding: false };

  // Group continuation lines with their first line.
  const events: { text: string; startLine: number }[] = [];
  clean.forEach((line, i) => {
    const last = events[events.length - 1];
    if (last && !options.multilineStart!.test(line)) last.text += `\n${line}`;
    else if (line.length > 0) events.push({ text: line, startLine: i });
  });
  if (options.flush || events.length === 0) return { events: events.map((e) => e.text), consumed: end, holding: false };
  // The last event may still receive continuation lines: hold it back, unread.
  const held = events.pop()!;
  let consumed = 0;
  for (let i = 0; i < held.startLine; i++) consumed = chunk.indexOf(NL, consumed) + 1;
  return { events: events.map((e) => e.text), consumed, holding: true };
}
