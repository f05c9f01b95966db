/** A text progress bar, `[#####-----]`. */
export function bar(done: number, total: number, width = 24): string {
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : width;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** 1,234,567 */
export const count = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * Progress on stderr: on a terminal one line redrawn in place, elsewhere (a
 * log, CI) only the finished lines, so a log does not fill with redraws.
 */
export function progressLine(stream: NodeJS.WriteStream = process.stderr) {
  return {
    update(text: string) {
      if (stream.isTTY) stream.write(`\r${text.padEnd(stream.columns ? Math.min(stream.columns - 1, 110) : 110)}`);
    },
    done(text: string) {
      stream.write(stream.isTTY ? `\r${text.padEnd(stream.columns ? Math.min(stream.columns - 1, 110) : 110)}\n` : `${text}\n`);
    },
  };
}
