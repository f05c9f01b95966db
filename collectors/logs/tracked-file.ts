import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';

/** Where reading stopped in one file; saved in the spool with the lines it produced. */
export interface FilePosition {
  path: string;
  dev: number;
  ino: number;
  offset: number;
  /** Hash of the first fingerprintLength bytes: tells a reused inode or a truncated-and-rewritten file apart. */
  fingerprint: string;
  fingerprintLength: number;
}

const FINGERPRINT_BYTES = 256;

export async function fingerprintOf(handle: fs.FileHandle, length: number): Promise<{ fingerprint: string; fingerprintLength: number }> {
  const buffer = Buffer.alloc(Math.min(length, FINGERPRINT_BYTES));
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
  return { fingerprint: createHash('sha1').update(buffer.subarray(0, bytesRead)).digest('hex').slice(0, 16), fingerprintLength: bytesRead };
}

/** An open file being followed by its inode, so a rename does not lose the lines written before it. */
export class TrackedFile {
  /** The last event when it may still grow (multiline), with the time it was first held. */
  heldSince: number | undefined;

  private constructor(
    public position: FilePosition,
    readonly handle: fs.FileHandle,
  ) {}

  static async open(path: string, saved: FilePosition | undefined): Promise<TrackedFile | undefined> {
    const handle = await fs.open(path, 'r').catch(() => undefined);
    if (!handle) return undefined;
    const stat = await handle.stat();
    let offset = 0;
    let print = await fingerprintOf(handle, stat.size);
    if (saved && saved.dev === stat.dev && saved.ino === stat.ino && saved.offset <= stat.size) {
      const then = await fingerprintOf(handle, saved.fingerprintLength);
      if (then.fingerprint === saved.fingerprint) {
        offset = saved.offset;
        print = then;
      } else offset = 0; // same inode, other content: a new file
    }
    return new TrackedFile({ path, dev: stat.dev, ino: stat.ino, offset, ...print }, handle);
  }

  get key(): string {
    return `${this.position.dev}:${this.position.ino}`;
  }

  /** Reads up to maxBytes from the current offset; the caller decides how much of it is consumed. */
  async readNew(maxBytes: number): Promise<Buffer> {
    const { size } = await this.handle.stat();
    // Copy-truncate: the file was emptied in place (it is shorter, or its first
    // bytes changed because it was refilled before we looked): start again.
    const rewritten = this.position.fingerprintLength > 0 && size >= this.position.fingerprintLength && (await fingerprintOf(this.handle, this.position.fingerprintLength)).fingerprint !== this.position.fingerprint;
    if (size < this.position.offset || rewritten) {
      this.position.offset = 0;
      this.position.fingerprintLength = 0;
      this.heldSince = undefined;
    }
    if (this.position.fingerprintLength < FINGERPRINT_BYTES && size > this.position.fingerprintLength) {
      Object.assign(this.position, await fingerprintOf(this.handle, size));
    }
    const length = Math.min(maxBytes, size - this.position.offset);
    if (length <= 0) return Buffer.alloc(0);
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await this.handle.read(buffer, 0, length, this.position.offset);
    return buffer.subarray(0, bytesRead);
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}
