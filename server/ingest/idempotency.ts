/**
 * Remembers the Idempotency-Key of recent ingest requests so that a client
 * retrying a batch that was already stored gets "duplicate" instead of a
 * second copy. Keys live in memory (bounded) and in the ingest_batches
 * table, from which a restarted server reloads the last day.
 */
export interface KeyOutcome {
  rows: number;
}

export const KEY_MEMORY_MS = 86_400_000;
const DEFAULT_MAX_KEYS = 200_000;

export class RecentKeys {
  private readonly done = new Map<string, { rows: number; at: number }>();
  private readonly inFlight = new Map<string, Promise<KeyOutcome>>();

  constructor(private readonly maxKeys = DEFAULT_MAX_KEYS) {}

  /** A previous or concurrent outcome for this key, if any. */
  lookup(key: string, now: number): KeyOutcome | Promise<KeyOutcome> | undefined {
    const seen = this.done.get(key);
    if (seen && now - seen.at < KEY_MEMORY_MS) return { rows: seen.rows };
    return this.inFlight.get(key);
  }

  /** Runs the first request with this key; concurrent ones wait for its outcome. */
  async run(key: string, now: number, work: () => Promise<KeyOutcome>): Promise<KeyOutcome> {
    const promise = work();
    this.inFlight.set(key, promise);
    try {
      const outcome = await promise;
      this.remember(key, outcome.rows, now);
      return outcome;
    } finally {
      this.inFlight.delete(key);
    }
  }

  remember(key: string, rows: number, at: number): void {
    this.done.delete(key);
    this.done.set(key, { rows, at });
    // Maps iterate in insertion order, so the first key is the oldest.
    while (this.done.size > this.maxKeys) this.done.delete(this.done.keys().next().value!);
  }

  get size(): number {
    return this.done.size;
  }
}
