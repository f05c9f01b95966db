import { AppError } from '../http/errors.ts';

/**
 * Open live streams per source address and per credential: a kiosk or a
 * script that keeps reconnecting, or a token spread too widely, cannot hold
 * thousands of connections. Past a limit a new stream is refused (429); the
 * streams already open go on.
 */
export class StreamLimits {
  private readonly open = new Map<string, number>();

  constructor(private readonly limits: { perAddress: number; perCredential: number }) {}

  /** Counts a new stream in, or throws 429; returns how to count it out. */
  admit(address: string, credential: string): () => void {
    const keys: [string, number][] = [[`address:${address}`, this.limits.perAddress], [`credential:${credential}`, this.limits.perCredential]];
    for (const [key, limit] of keys) {
      if ((this.open.get(key) ?? 0) >= limit) {
        throw new AppError(429, 'too_many_streams', `at most ${limit} live streams per ${key.split(':')[0]}; close one first`, [{ field: key.split(':')[0]!, reason: `limit ${limit}` }], { 'retry-after': '30' });
      }
    }
    for (const [key] of keys) this.open.set(key, (this.open.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const [key] of keys) {
        const n = (this.open.get(key) ?? 1) - 1;
        if (n <= 0) this.open.delete(key);
        else this.open.set(key, n);
      }
    };
  }
}
