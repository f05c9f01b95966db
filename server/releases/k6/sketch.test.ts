import { describe, expect, it } from 'vitest';
import { QuantileSketch, RELATIVE_ERROR } from './sketch.ts';

/** k6's percentile over sorted values: rank q·(n−1), linear between neighbours. */
function exactQuantile(sorted: number[], q: number): number {
  const rank = q * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sketchOf(values: number[]): QuantileSketch {
  const sketch = new QuantileSketch();
  for (const v of values) sketch.add(v);
  return sketch;
}

const QUANTILES = [0.01, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999];

function expectWithinError(values: number[]): void {
  const sorted = [...values].sort((a, b) => a - b);
  const sketch = sketchOf(values);
  for (const q of QUANTILES) {
    const exact = exactQuantile(sorted, q);
    const estimate = sketch.quantile(q)!;
    expect(Math.abs(estimate - exact), `q=${q} exact=${exact} estimate=${estimate}`).toBeLessThanOrEqual(RELATIVE_ERROR * Math.abs(exact) + 1e-12);
  }
  expect(sketch.quantile(0)).toBe(sorted[0]);
  expect(sketch.quantile(1)).toBe(sorted[sorted.length - 1]);
}

describe('QuantileSketch', () => {
  it('answers within 1 % on a heavy-tailed latency distribution (log-normal)', () => {
    const next = random(42);
    const values = Array.from({ length: 50_000 }, () => Math.exp(4 + 1.2 * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next())));
    expectWithinError(values);
  });

  it('answers within 1 % on uniform values, small and large magnitudes, negatives and zeros', () => {
    const next = random(7);
    expectWithinError(Array.from({ length: 20_000 }, () => 1 + 999 * next()));
    expectWithinError(Array.from({ length: 5_000 }, () => 1e-6 * (1 + next())));
    expectWithinError(Array.from({ length: 5_000 }, () => 1e12 * (1 + next())));
    expectWithinError(Array.from({ length: 9_000 }, (_, i) => (i % 3 === 0 ? 0 : i % 3 === 1 ? -(1 + 99 * next()) : 1 + 99 * next())));
  });

  it('gives the one value of a single sample and nothing of none', () => {
    expect(sketchOf([12.5]).quantile(0.95)).toBe(12.5);
    expect(new QuantileSketch().quantile(0.5)).toBeUndefined();
    expect(sketchOf([1]).quantile(1.5)).toBeUndefined();
  });

  it('merges into the same answers as one sketch of all values', () => {
    const next = random(3);
    const values = Array.from({ length: 10_000 }, () => 1 + 500 * next() ** 3);
    const left = sketchOf(values.slice(0, 4000));
    left.merge(sketchOf(values.slice(4000)));
    const whole = sketchOf(values);
    for (const q of QUANTILES) expect(left.quantile(q)).toBe(whole.quantile(q));
    expect(left.count).toBe(10_000);
  });

  it('keeps answers inside the exact min and max beyond its range', () => {
    const sketch = sketchOf([1e20, 2e20, 3e20]);
    expect(sketch.quantile(0.5)).toBeGreaterThanOrEqual(1e20);
    expect(sketch.quantile(0.5)).toBeLessThanOrEqual(3e20);
  });
});
