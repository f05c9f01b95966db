/**
 * A robust linear trend (Theil–Sen) with Sen's 95 % confidence interval for
 * its slope, and when the line reaches a level. Pure arithmetic, so it is
 * tested on its own with synthetic series.
 */

/** Fewer days than this and the review says "not enough data" instead of a trend. */
export const MIN_POINTS = 14;

export interface Trend {
  points: number;
  /** Per unit of x (a day). */
  slope: number;
  slopeLow: number;
  slopeHigh: number;
  /** The line's value at x = 0. */
  intercept: number;
}

export function theilSenTrend(points: readonly (readonly [number, number])[]): Trend | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  const slopes: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (points[j]![0] !== points[i]![0]) slopes.push((points[j]![1] - points[i]![1]) / (points[j]![0] - points[i]![0]));
  if (slopes.length === 0) return undefined;
  slopes.sort((a, b) => a - b);
  const slope = median(slopes);
  const intercept = median(points.map(([x, y]) => y - slope * x));
  // Sen (1968): the interval's ends are ranks of the ordered slopes, from the variance of Kendall's S.
  const c = 1.96 * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18);
  const low = Math.max(0, Math.floor((slopes.length - c) / 2));
  const high = Math.min(slopes.length - 1, Math.ceil((slopes.length + c) / 2));
  return { points: n, slope, slopeLow: slopes[low]!, slopeHigh: slopes[high]!, intercept };
}

function median(sorted: number[]): number {
  const values = [...sorted].sort((a, b) => a - b);
  const mid = values.length / 2;
  return values.length % 2 ? values[Math.floor(mid)]! : (values[mid - 1]! + values[mid]!) / 2;
}

export type Crossing =
  | { kind: 'not_enough_data'; points: number }
  | { kind: 'over' }
  | { kind: 'not_rising' }
  | { kind: 'crosses'; at: number; earliest: number; latest: number };

/**
 * When the trend of `points` (x in days from `origin`, a day's p95) reaches
 * `level`: a date with the range the slope's 95 % interval gives; "over"
 * when the latest day already is; "not rising" unless the whole interval is
 * above zero (a flat or noisy series forecasts no crossing, rather than one
 * decades away).
 */
export function crossing(points: readonly (readonly [number, number])[], level: number, origin: number, dayMs = 86_400_000): { trend?: Trend; crossing: Crossing } {
  if (points.length < MIN_POINTS) return { crossing: { kind: 'not_enough_data', points: points.length } };
  const trend = theilSenTrend(points)!;
  const lastX = points[points.length - 1]![0];
  if (points[points.length - 1]![1] > level) return { trend, crossing: { kind: 'over' } };
  if (trend.slopeLow <= 0) return { trend, crossing: { kind: 'not_rising' } };
  // Each line goes through the median point of the data (the centre of its mass), at its own slope.
  const xm = median(points.map(([x]) => x));
  const ym = trend.intercept + trend.slope * xm;
  const reach = (slope: number) => origin + Math.max(lastX, xm + (level - ym) / slope) * dayMs;
  return { trend, crossing: { kind: 'crosses', at: reach(trend.slope), earliest: reach(trend.slopeHigh), latest: reach(trend.slopeLow) } };
}
