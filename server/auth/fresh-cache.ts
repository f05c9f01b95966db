/**
 * What a credential check reads from the shared database, kept fresh: an
 * entry is never older than `maxAgeMs` when read, so a change made on any
 * instance (a session ended, a token revoked) holds everywhere within it.
 * Entries in use are re-read in the background, many in one query every
 * half of `maxAgeMs`, so a request waits for the database only the first
 * time it shows a credential, or after it went unused past `activeMs`.
 */
export class FreshCache<V> {
  private readonly entries = new Map<string, { value: V | undefined; checkedAt: number; usedAt: number }>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing = false;

  constructor(
    private readonly options: {
      maxAgeMs: number;
      /** Entries read within this long are kept fresh in the background. */
      activeMs: number;
      maxEntries: number;
      /** The values of these keys; a key it leaves out has none (unknown, ended). */
      loadMany: (keys: string[]) => Promise<Map<string, V>>;
      now: () => number;
      onError?: (error: Error) => void;
    },
  ) {}

  async get(key: string): Promise<V | undefined> {
    const at = this.options.now();
    let entry = this.entries.get(key);
    if (!entry || at - entry.checkedAt >= this.options.maxAgeMs) {
      const loaded = await this.options.loadMany([key]);
      entry = { value: loaded.get(key), checkedAt: at, usedAt: at };
      this.entries.set(key, entry);
      if (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    }
    entry.usedAt = at;
    return entry.value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.refresh(), this.options.maxAgeMs / 2);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Re-reads the entries in use that are past half their age; returns how many. */
  async refresh(): Promise<number> {
    if (this.refreshing) return 0;
    this.refreshing = true;
    try {
      const at = this.options.now();
      const due: string[] = [];
      for (const [key, e] of this.entries) {
        // Only what holds a value: an unknown or ended credential does not come back by itself, and
        // refreshing random cookies a client sprays would cost a query for nothing.
        if (e.value !== undefined && at - e.usedAt < this.options.activeMs && at - e.checkedAt >= this.options.maxAgeMs / 2) due.push(key);
      }
      for (let i = 0; i < due.length; i += 1000) {
        const keys = due.slice(i, i + 1000);
        const loaded = await this.options.loadMany(keys);
        for (const key of keys) {
          const e = this.entries.get(key);
          // Deleted meanwhile (ended here), or read again since: leave it.
          if (e && e.checkedAt < at) Object.assign(e, { value: loaded.get(key), checkedAt: at });
        }
      }
      return due.length;
    } catch (error) {
      this.options.onError?.(error as Error);
      return 0;
    } finally {
      this.refreshing = false;
    }
  }
}
