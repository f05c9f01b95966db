// Reads an uploaded k6 result of any of the three formats from a stream:
// gunzips it (asked for, or sniffed by gzip's 0x1f 0x8b), holds it to
// maxBytes after decompression and to idleTimeoutMs between bytes, and
// tells the formats apart by the first line. A summary is one JSON object
// (buffered, it is small); --out json is lines of {"type":"Metric"|"Point"}
// (streamed through the aggregator, never held whole).

import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import zlib from 'node:zlib';
import { AppError } from '../../http/errors.ts';
import { JsonLinesAggregator } from './json-lines.ts';
import { K6FormatError, type K6Run } from './model.ts';
import { readSummary } from './summary.ts';

export interface ReadK6Options {
  /** The body is gzip (e.g. Content-Encoding: gzip); without it, gzip is still recognised by its magic bytes. */
  gzip?: boolean;
  /** After decompression. */
  maxBytes: number;
  /** The longest wait for the next bytes of the body. */
  idleTimeoutMs: number;
}

/** The largest summary object held in memory to parse; k6's are kilobytes. */
export const SUMMARY_MAX_BYTES = 50 * 1024 * 1024;
/** A --out json line is some hundred bytes; one longer than this is not k6's. */
export const MAX_LINE_CHARS = 1024 * 1024;
/**
 * Compressed input reaches zlib in slices this small: zlib inflates a whole
 * input chunk before it heeds back-pressure, and a 64 KiB chunk of a bomb
 * inflates to 64 MiB; a 4 KiB slice to at most about 4 MiB.
 */
const GZIP_SLICE_BYTES = 4096;
const INFLATE_CHUNK_BYTES = 256 * 1024;
/** Reading stops early on these, so the rest of the body is not read: the connection closes after the answer. */
const CLOSE = { connection: 'close' };

export async function readK6Result(body: NodeJS.ReadableStream | Readable, options: ReadK6Options): Promise<K6Run> {
  const chunks = withIdleTimeout(body as AsyncIterable<Buffer | string>, options.idleTimeoutMs);
  const { head, all } = await peek(chunks, 2);
  const sink = new ResultSink(options.maxBytes);
  if (options.gzip === true || (head[0] === 0x1f && head[1] === 0x8b)) {
    try {
      await pipeline(Readable.from(all), sliced(GZIP_SLICE_BYTES), zlib.createGunzip({ chunkSize: INFLATE_CHUNK_BYTES }), async (inflated: AsyncIterable<Buffer>) => {
        for await (const chunk of inflated) sink.push(chunk);
      });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('Z_')) throw new K6FormatError(`body is not valid gzip data (${(error as Error).message})`, 'body');
      throw error;
    }
  } else {
    for await (const chunk of all) sink.push(chunk);
  }
  return sink.end();
}

/** Whitespace, and the bytes of a UTF-8 byte-order mark, before the first line with something on it. */
const SKIPPED_AT_START: ReadonlySet<number> = new Set([0x20, 0x0a, 0x0d, 0x09, 0xef, 0xbb, 0xbf]);

/** Decides summary or lines on the first line, then buffers the one or streams the other. */
class ResultSink {
  private bytes = 0;
  private mode: 'undecided' | 'summary' | 'lines' = 'undecided';
  private held: Buffer[] = [];
  private heldBytes = 0;
  private seenContent = false;
  private lines: LineSplitter | undefined;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      throw new AppError(413, 'too_large', `body is larger than ${this.maxBytes} bytes (after decompression)`, [{ field: 'body', reason: `body limit ${this.maxBytes} bytes`, limit: this.maxBytes }], CLOSE);
    }
    if (this.lines) return this.lines.push(chunk);
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.mode === 'summary') {
      if (this.heldBytes > SUMMARY_MAX_BYTES) {
        throw new AppError(413, 'too_large', `a k6 summary larger than ${SUMMARY_MAX_BYTES} bytes is not one k6 writes`, [{ field: 'body', reason: 'summary too large', limit: SUMMARY_MAX_BYTES }], CLOSE);
      }
    } else if (this.firstLineEnds(chunk) || this.heldBytes > MAX_LINE_CHARS) this.decide();
  }

  end(): K6Run {
    if (this.mode === 'undecided') this.decide();
    if (this.lines) return this.lines.end();
    const text = stripBom(Buffer.concat(this.held, this.heldBytes).toString('utf8'));
    this.held = [];
    if (text.trim() === '') throw new K6FormatError('the body is empty', 'body');
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      throw new K6FormatError(`the body is neither a k6 summary (one JSON object) nor k6 --out json lines (${(error as Error).message.slice(0, 120)})`, 'body');
    }
    return readSummary(doc);
  }

  /** Whether this chunk holds the newline that ends the first line with something on it. */
  private firstLineEnds(chunk: Buffer): boolean {
    let from = 0;
    if (!this.seenContent) {
      while (from < chunk.length && SKIPPED_AT_START.has(chunk[from]!)) from++;
      if (from === chunk.length) return false;
      this.seenContent = true;
    }
    return chunk.indexOf(0x0a, from) !== -1;
  }

  /** --out json when the first line is one {"type":"Metric"|"Point"} object; else a summary (even one on a single line). */
  private decide(): void {
    const head = stripBom(Buffer.concat(this.held, this.heldBytes).toString('utf8')).trimStart();
    const newline = head.indexOf('\n');
    let first: unknown;
    try {
      first = JSON.parse(newline === -1 ? head : head.slice(0, newline));
    } catch {
      first = undefined;
    }
    const type = typeof first === 'object' && first !== null ? (first as { type?: unknown }).type : undefined;
    if (type !== 'Metric' && type !== 'Point') {
      this.mode = 'summary';
      return;
    }
    this.mode = 'lines';
    this.lines = new LineSplitter(new JsonLinesAggregator());
    for (const chunk of this.held) this.lines.push(chunk);
    this.held = [];
  }
}

/** Cuts a byte stream into lines for the aggregator; a line may span chunks, and a character may too. */
class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private carry = '';
  private started = false;

  constructor(private readonly aggregator: JsonLinesAggregator) {}

  push(chunk: Buffer): void {
    let text = this.carry + this.decoder.write(chunk);
    if (!this.started && text.length > 0) {
      text = stripBom(text);
      this.started = true;
    }
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      this.aggregator.push(text.slice(start, newline));
      start = newline + 1;
    }
    this.carry = start === 0 ? text : text.slice(start);
    if (this.carry.length > MAX_LINE_CHARS) {
      const n = this.aggregator.lines + 1;
      throw new K6FormatError(`line ${n}: longer than ${MAX_LINE_CHARS} characters, not a k6 --out json line`, `line ${n}`, n);
    }
  }

  end(): K6Run {
    const rest = this.carry + this.decoder.end();
    if (rest.length > 0) this.aggregator.push(rest);
    return this.aggregator.result();
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The body's chunks as Buffers, failing with 408 `idle_timeout` when none
 * arrives for idleMs. Leaving early on an error destroys a Readable body
 * (as the ingest routes' reading does); after a timeout the stalled read is
 * left to end with the connection, which the answer's Connection: close
 * ends, so the 408 can still be sent.
 */
async function* withIdleTimeout(body: AsyncIterable<Buffer | string>, idleMs: number): AsyncGenerator<Buffer> {
  const chunks = body[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = chunks.next();
      next.catch(() => undefined); // a read still pending when the wait times out may fail later: nobody waits for it
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new AppError(408, 'idle_timeout', `no bytes of the body arrived for ${idleMs} ms`, [{ field: 'body', reason: 'idle', limit: idleMs }], CLOSE));
        }, idleMs);
      });
      let step: IteratorResult<Buffer | string>;
      try {
        step = await Promise.race([next, idle]);
      } finally {
        clearTimeout(timer);
      }
      if (step.done) return;
      yield typeof step.value === 'string' ? Buffer.from(step.value) : step.value;
    }
  } finally {
    chunks.return?.()?.catch(() => undefined);
  }
}

/** At least `bytes` bytes of the start (fewer if the body is shorter), and all chunks again from the first. */
async function peek(chunks: AsyncGenerator<Buffer>, bytes: number): Promise<{ head: Buffer; all: AsyncGenerator<Buffer> }> {
  const first: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < bytes) {
    const step = await chunks.next();
    if (step.done) {
      done = true;
      break;
    }
    first.push(step.value);
    size += step.value.length;
  }
  async function* all(): AsyncGenerator<Buffer> {
    try {
      yield* first;
      if (!done) yield* chunks;
    } finally {
      await chunks.return(undefined);
    }
  }
  return { head: Buffer.concat(first, size), all: all() };
}

function sliced(size: number): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      for (let at = 0; at < chunk.length; at += size) this.push(chunk.subarray(at, at + size));
      done();
    },
  });
}
