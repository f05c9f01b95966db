import { describe, expect, it } from 'vitest';
import { crossing, theilSenTrend } from './forecast.ts';

const DAY = 86_400_000;
const ORIGIN = Date.parse('2026-09-01T00:00:00+09:00');
/** Deterministic noise in [-2, 2], uncorrelated with the day (a sine hash). */
const noise = (i: number) => {
  const h = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return (h - Math.floor(h)) * 4 - 2;
};

describe('capacity forecast (Theil–Sen with Sen’s interval)', () => {
  it('finds when a rising series with noise reaches the threshold, inside the stated interval', () => {
    // 50 % rising half a point a day: 80 % on day 60.
    const points = Array.from({ length: 45 }, (_, x) => [x, 50 + 0.5 * x + noise(x)] as const);
    const { trend, crossing: c } = crossing(points, 80, ORIGIN);
    expect(trend!.slope).toBeCloseTo(0.5, 1);
    expect(trend!.slopeLow).toBeLessThan(0.5);
    expect(trend!.slopeHigh).toBeGreaterThan(0.5);
    expect(c.kind).toBe('crosses');
    if (c.kind !== 'crosses') return;
    const truth = ORIGIN + 60 * DAY;
    expect(Math.abs(c.at - truth)).toBeLessThan(3 * DAY);
    expect(c.earliest).toBeLessThanOrEqual(truth);
    expect(c.latest).toBeGreaterThanOrEqual(truth);
  });

  it('forecasts no crossing for a flat series, however noisy, and says so plainly', () => {
    const flat = Array.from({ length: 60 }, (_, x) => [x, 40 + noise(x)] as const);
    expect(crossing(flat, 80, ORIGIN).crossing).toEqual({ kind: 'not_rising' });
    expect(Math.abs(theilSenTrend(flat)!.slope)).toBeLessThan(0.05);
  });

  it('says "not enough data" under two weeks, and "over" when the last day already is', () => {
    expect(crossing([[0, 50], [1, 60], [2, 70]], 80, ORIGIN).crossing).toEqual({ kind: 'not_enough_data', points: 3 });
    const over = Array.from({ length: 20 }, (_, x) => [x, 70 + x] as const);
    expect(crossing(over, 80, ORIGIN).crossing).toEqual({ kind: 'over' });
  });
});
