/**
 * Token buckets per (app key, client IP): a full bucket holds one minute's
 * allowance, refilled continuously. In memory: a restart forgives everyone.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly maxBuckets = 50_000,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** Takes one token; returns 0 when allowed, else the milliseconds until one is available. */
  take(id: string, now: number): number {
    const bucket = this.buckets.get(id) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + Math.max(0, now - bucket.at) * this.perMs);
    bucket.at = now;
    if (!this.buckets.has(id)) this.admit(id, bucket, now);
    if (bucket.tokens < 1) return Math.ceil((1 - bucket.tokens) / this.perMs);
    bucket.tokens -= 1;
    return 0;
  }

  get size(): number {
    return this.buckets.size;
  }

  private admit(id: string, bucket: { tokens: number; at: number }, now: number): void {
    if (this.buckets.size >= this.maxBuckets) {
      // Buckets that have refilled are the same as absent ones: drop them first.
      for (const [key, b] of this.buckets) if (b.tokens + (now - b.at) * this.perMs >= this.perMinute) this.buckets.delete(key);
      // Still full (a flood of distinct clients): forget the oldest.
      while (this.buckets.size >= this.maxBuckets) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(id, bucket);
  }
}
