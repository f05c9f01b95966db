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

/**
 * How long a file that left its glob (renamed by rotation) is still followed
 * after its last growth: its writer appends to it until it reopens its log
 * (logrotate's postrotate, nginx's USR1). Fluent Bit's default.
 */
export const DEFAULT_ROTATE_WAIT_MS = 5_000;

const FINGERPRINT_BYTES = 256;

export async function fingerprintOf(handle: fs.FileHandle, length: number): Promise<{ fingerprint: string; fingerprintLength: number }> {
  const buffer = Buffer.alloc(Math.min(length, FINGERPRINT_BYTES));
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
  return { fingerprint: createHash('sha1').update(buffer.subarray(0, bytesRead)).digest('hex').slice(0, 16), fingerprintLength: bytesRead };
}

/** An open file being followed by its inode, so a rename does not lose the lines written before or after it. */
export class TrackedFile {
  /** The last event when it may still grow (multiline), with the time it was first held. */
  heldSince: number | undefined;
  /** When the file was first seen outside its glob (renamed away or deleted); undefined while it is in it. */
  leftGlobAt: number | undefined;
  /** When its size last changed, or when following it began. */
  private changedAt: number;
  private lastSize: number;

  private constructor(
    public position: FilePosition,
    readonly handle: fs.FileHandle,
    size: number,
    now: number,
  ) {
    this.lastSize = size;
    this.changedAt = now;
  }

  static async open(path: string, saved: FilePosition | undefined, now: number): Promise<TrackedFile | undefined> {
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
    return new TrackedFile({ path, dev: stat.dev, ino: stat.ino, offset, ...print }, handle, stat.size, now);
  }

  get key(): string {
    return `${this.position.dev}:${this.position.ino}`;
  }

  /** Milliseconds without growth since it left its glob (0 while in it): when this reaches rotate_wait, its writer has moved on. */
  quietOutsideGlobMs(now: number): number {
    if (this.leftGlobAt === undefined) return 0;
    return now - Math.max(this.changedAt, this.leftGlobAt);
  }

  /** Reads up to maxBytes from the current offset; the caller decides how much of it is consumed. */
  async readNew(maxBytes: number, now: number): Promise<Buffer> {
    const { size } = await this.handle.stat();
    if (size !== this.lastSize) {
      this.lastSize = size;
      this.changedAt = now;
    }
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
