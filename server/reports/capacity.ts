import type { Storage } from '../storage/client.ts';
import { sql, ts, typed } from '../storage/sql.ts';
import { CPU_P95, cpuBuckets } from './queries.ts';
import type { Rule } from '../rules/types.ts';
import { DEFAULT_CPU_THRESHOLD_PERCENT } from '../live/tiles.ts';
import { matches } from '../rules/kinds/common.ts';
import { instantOf, wallTimeOf } from '../maintenance/zoned-time.ts';
import { crossing, type Crossing, type Trend } from './forecast.ts';
import { round } from './arith.ts';

export interface CapacitySettings {
  defaultPercent?: number;
  environments: Record<string, number>;
  hosts: Record<string, number>;
  horizonDays: number;
}

export interface CapacityDeps {
  storage: Storage;
  timezone: string;
  rules: Rule[];
  capacity: CapacitySettings;
  now: () => number;
}

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** The agreed threshold of a host and where it comes from: the host's own, its environment's, the default, its first matching cpu rule, else 80 %. */
export function agreedThreshold(settings: CapacitySettings, rules: Rule[], environment: string, host: string): { percent: number; source: 'host' | 'environment' | 'default' | 'rule' | 'built_in' } {
  if (settings.hosts[host] !== undefined) return { percent: settings.hosts[host], source: 'host' };
  if (settings.environments[environment] !== undefined) return { percent: settings.environments[environment], source: 'environment' };
  if (settings.defaultPercent !== undefined) return { percent: settings.defaultPercent, source: 'default' };
  const rule = rules.find((r) => r.kind === 'cpu' && matches(r.match, { environment, host }));
  if (rule) return { percent: (rule.params as { thresholdPercent: number }).thresholdPercent, source: 'rule' };
  return { percent: DEFAULT_CPU_THRESHOLD_PERCENT, source: 'built_in' };
}

export type CapacityReview = Awaited<ReturnType<typeof buildCapacityReview>>;

/**
 * The capacity review (item 18): per host, each day's and month's mean,
 * p95, peak and share of time over its agreed threshold over the last 90
 * whole days, and when the trend of the daily p95 over the last 30 and the
 * last 90 days reaches the threshold. A host already
 * over, or forecast to cross within the horizon, needs a proposal.
 * `until` ends the 90 days elsewhere than today (the monthly report reviews
 * as of its month's end).
 */
export async function buildCapacityReview(deps: CapacityDeps, environment: string, options: { until?: number; progress?: Progress } = {}) {
  const to = options.until ?? startOfToday(deps);
  const from = to - 90 * DAY_MS;
  const progress = options.progress ?? (() => undefined);
  const hosts = (await deps.storage.query<{ host: string }>(sql`
    SELECT DISTINCT host FROM metrics_1m
    WHERE environment = ${environment} AND name = 'cpu_utilisation_percent' AND labels['cpu'] = 'total' AND time >= ${ts(from)} AND time < ${ts(to)}
    ORDER BY host`)).map((r) => r.host);
  progress(1, 3, 'hosts');
  const thresholds = new Map(hosts.map((host) => [host, agreedThreshold(deps.capacity, deps.rules, environment, host)]));
  const byHost = await periods(deps, environment, from, to, hosts.map((h) => thresholds.get(h)!.percent), hosts);
  progress(2, 3, 'days and months');
  const horizon = to + deps.capacity.horizonDays * DAY_MS;
  const review = [...byHost.entries()].map(([host, { days, months }]) => {
    const threshold = thresholds.get(host)!;
    const points = days.map((d) => [Math.round((d.day - from) / DAY_MS), d.p95] as const);
    const recent = points.filter(([x]) => x >= 60);
    const forecast = (window: readonly (readonly [number, number])[]) => describe(crossing(window, threshold.percent, from));
    const f30 = forecast(recent);
    const f90 = forecast(points);
    const latest = days[days.length - 1]!;
    const soonest = [f30, f90].flatMap((f) => (f.kind === 'crosses' ? [Date.parse(f.crosses_at!)] : []));
    const over = latest.p95 > threshold.percent;
    return {
      host,
      threshold_percent: threshold.percent,
      threshold_source: threshold.source,
      days: days.length,
      latest_day: iso(latest.day),
      latest_p95_percent: round(latest.p95, 1),
      peak_percent: round(Math.max(...days.map((d) => d.peak)), 1),
      days_over_threshold: days.filter((d) => d.p95 > threshold.percent).length,
      trend_30_days: f30,
      trend_90_days: f90,
      proposal_needed: over || soonest.some((at) => at <= horizon),
      daily: days.map(figures),
      monthly: months.map(figures),
    };
  });
  progress(3, 3, 'forecasts');
  return { environment, timezone: deps.timezone, generated_at: iso(deps.now()), from: iso(from), to: iso(to), horizon_days: deps.capacity.horizonDays, hosts: review };
}

/** The review's usual end: 00:00 today in its time zone (the last whole day read is yesterday). */
export function startOfToday(deps: Pick<CapacityDeps, 'now' | 'timezone'>): number {
  const today = wallTimeOf(deps.now(), deps.timezone);
  return instantOf({ ...today, hour: 0, minute: 0, second: 0, millisecond: 0 }, deps.timezone);
}

/** A report's progress: `done` of `total` steps, the last one named by `phase`. */
export type Progress = (done: number, total: number, phase: string) => void;

export type HostReview = CapacityReview['hosts'][number];

/** The forecast a review leads with: the 90-day one when it crosses or is already over, else the 30-day one (a recent rise the long window hides). */
export function leadingForecast(h: Pick<HostReview, 'trend_30_days' | 'trend_90_days'>) {
  const long = h.trend_90_days.kind === 'crosses' || h.trend_90_days.kind === 'over';
  return { window_days: long ? 90 : 30, ...(long ? h.trend_90_days : h.trend_30_days) };
}

interface Period { day: number; mean: number; p95: number; peak: number; minutes: number; above: number }

const figures = (p: Period) => ({ start: iso(p.day), mean_percent: round(p.mean, 1), p95_percent: round(p.p95, 1), peak_percent: round(p.peak, 1), above_threshold_percent: p.minutes ? round((100 * p.above) / p.minutes, 2) : 0 });

/**
 * Each host's days and months (in the review's time zone): mean, p95 of the
 * samples (quantile state), peak, and the minutes whose mean was over the
 * host's threshold, from the 1-minute rollup in one pass.
 */
async function periods(deps: CapacityDeps, environment: string, from: number, to: number, thresholds: number[], hosts: string[]) {
  const byHost = new Map<string, { days: Period[]; months: Period[] }>(hosts.map((h) => [h, { days: [], months: [] }]));
  if (hosts.length === 0) return byHost;
  const rows = await deps.storage.query<Omit<Period, 'day'> & { host: string; start: number; is_month: number }>(sql`
    SELECT host, toUnixTimestamp(if(grouping(day) = 0, day, month)) * 1000 AS start, grouping(day) AS is_month,
      sum(total) / sum(n) AS mean, ${CPU_P95} AS p95, max(peak) AS peak, count() AS minutes,
      countIf(total / n > arrayElement(${typed(thresholds, 'Array(Float64)')}, indexOf(${hosts}, host))) AS above
    FROM (SELECT *, toStartOfDay(time, ${deps.timezone}) AS day, toDateTime(toStartOfMonth(time, ${deps.timezone}), ${deps.timezone}) AS month FROM (${cpuBuckets('metrics_1m', environment, from, to)}))
    GROUP BY GROUPING SETS ((host, day), (host, month))
    ORDER BY host, is_month, start`);
  for (const r of rows) {
    const entry = byHost.get(r.host)!;
    const period = { day: Number(r.start), mean: Number(r.mean), p95: Number(r.p95), peak: Number(r.peak), minutes: Number(r.minutes), above: Number(r.above) };
    (Number(r.is_month) ? entry.months : entry.days).push(period);
  }
  return byHost;
}

/** A forecast as the review states it: the slope with its 95 % interval (points a day), and the crossing with its range, or why there is none. */
function describe(result: { trend?: Trend; crossing: Crossing }) {
  const { trend, crossing: c } = result;
  // The line's value on the review's first day (x = 0): with the slope, the chart draws the trend.
  const slope = trend ? { slope_per_day: round(trend.slope, 3), slope_low: round(trend.slopeLow, 3), slope_high: round(trend.slopeHigh, 3), intercept_percent: round(trend.intercept, 2) } : { slope_per_day: null, slope_low: null, slope_high: null, intercept_percent: null };
  if (c.kind === 'crosses') return { kind: c.kind, ...slope, crosses_at: iso(c.at), earliest: iso(c.earliest), latest: iso(c.latest), points: trend!.points };
  return { kind: c.kind, ...slope, crosses_at: null, earliest: null, latest: null, points: trend?.points ?? (c.kind === 'not_enough_data' ? c.points : 0) };
}
