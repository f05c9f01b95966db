// A fixed-size, mergeable quantile sketch: a histogram over logarithmic
// buckets (the DDSketch idea). Every value of magnitude in
// [MIN_MAGNITUDE, MAX_MAGNITUDE] is answered within RELATIVE_ERROR of the
// value at that rank; smaller magnitudes count as 0, larger ones as the top
// bucket (and every answer is clamped to the exact min and max). Memory is
// two Float64Arrays of BUCKETS (about 22 KiB each, the negative one only
// once a negative value arrives), whatever the number of values.

export const RELATIVE_ERROR = 0.01;
const GAMMA = (1 + RELATIVE_ERROR) / (1 - RELATIVE_ERROR);
const INV_LN_GAMMA = 1 / Math.log(GAMMA);
export const MIN_MAGNITUDE = 1e-9;
export const MAX_MAGNITUDE = 1e15;
/** Bucket k holds magnitudes in (GAMMA^(k-1), GAMMA^k]; array slot = k - LOWEST_KEY. */
const LOWEST_KEY = Math.ceil(Math.log(MIN_MAGNITUDE) * INV_LN_GAMMA);
const BUCKETS = Math.ceil(Math.log(MAX_MAGNITUDE) * INV_LN_GAMMA) - LOWEST_KEY + 1;

function slotOf(magnitude: number): number {
  const slot = Math.ceil(Math.log(magnitude) * INV_LN_GAMMA) - LOWEST_KEY;
  return slot < 0 ? 0 : slot >= BUCKETS ? BUCKETS - 1 : slot;
}

/** The value within RELATIVE_ERROR of every magnitude in the slot's bucket. */
function magnitudeOf(slot: number): number {
  return (2 * GAMMA ** (slot + LOWEST_KEY)) / (GAMMA + 1);
}

export class QuantileSketch {
  private readonly positive = new Float64Array(BUCKETS);
  private negative: Float64Array | null = null;
  private zeros = 0;
  count = 0;
  min = Infinity;
  max = -Infinity;

  add(value: number): void {
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value >= MIN_MAGNITUDE) this.positive[slotOf(value)]!++;
    else if (value <= -MIN_MAGNITUDE) (this.negative ??= new Float64Array(BUCKETS))[slotOf(-value)]!++;
    else this.zeros++;
  }

  merge(other: QuantileSketch): void {
    for (let i = 0; i < BUCKETS; i++) this.positive[i]! += other.positive[i]!;
    if (other.negative) {
      const negative = (this.negative ??= new Float64Array(BUCKETS));
      for (let i = 0; i < BUCKETS; i++) negative[i]! += other.negative[i]!;
    }
    this.zeros += other.zeros;
    this.count += other.count;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }

  /**
   * The q-quantile (0..1) as k6 computes it over the sorted values: rank
   * q·(n−1), interpolated linearly between its two neighbours.
   */
  quantile(q: number): number | undefined {
    if (this.count === 0 || !(q >= 0 && q <= 1)) return undefined;
    const rank = q * (this.count - 1);
    const below = Math.floor(rank);
    const low = this.valueAtRank(below);
    const high = rank === below ? low : this.valueAtRank(below + 1);
    return low + (high - low) * (rank - below);
  }

  /** The estimate of the value at 0-based rank r in sorted order. */
  private valueAtRank(rank: number): number {
    if (rank <= 0) return this.min;
    if (rank >= this.count - 1) return this.max;
    let seen = 0;
    if (this.negative) {
      for (let slot = BUCKETS - 1; slot >= 0; slot--) {
        seen += this.negative[slot]!;
        if (seen > rank) return this.clamp(-magnitudeOf(slot));
      }
    }
    seen += this.zeros;
    if (seen > rank) return this.clamp(0);
    for (let slot = 0; slot < BUCKETS; slot++) {
      seen += this.positive[slot]!;
      if (seen > rank) return this.clamp(magnitudeOf(slot));
    }
    return this.max;
  }

  private clamp(value: number): number {
    return value < this.min ? this.min : value > this.max ? this.max : value;
  }
}
