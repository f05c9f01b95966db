/**
 * Idempotency-keys of recent Faro requests (in memory, 10 minutes): the SDK
 * resends a batch whose answer it did not see, and the resend must not be
 * stored twice. A concurrent resend waits for the first one's outcome.
 */
export const KEY_MEMORY_MS = 10 * 60_000;

export class RecentKeys {
  private readonly done = new Map<string, { accepted: number; at: number }>();
  private readonly inFlight = new Map<string, Promise<number>>();

  constructor(private readonly maxKeys = 100_000) {}

  /** The earlier outcome (rows accepted) for this key, finished or still running. */
  lookup(key: string, now: number): number | Promise<number> | undefined {
    const seen = this.done.get(key);
    if (seen && now - seen.at < KEY_MEMORY_MS) return seen.accepted;
    return this.inFlight.get(key);
  }

  /** Runs the first request with this key; only a success is remembered, so a failed one may be retried. */
  async run(key: string, now: () => number, work: () => Promise<number>): Promise<number> {
    const promise = work();
    this.inFlight.set(key, promise);
    try {
      const accepted = await promise;
      this.remember(key, accepted, now());
      return accepted;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private remember(key: string, accepted: number, at: number): void {
    this.done.delete(key);
    this.done.set(key, { accepted, at });
    // Insertion order is time order: expired and surplus keys sit at the front.
    for (const [k, v] of this.done) {
      if (at - v.at < KEY_MEMORY_MS && this.done.size <= this.maxKeys) break;
      this.done.delete(k);
    }
  }
}
