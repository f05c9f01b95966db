import type { Storage } from '../storage/client.ts';
import { sql, ts } from '../storage/sql.ts';
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
 * The capacity review (item 18): per host, each day's p95 of its 1-minute
 * CPU means over the last 90 whole days, its agreed threshold, and when the
 * trend of the last 30 and of the last 90 days reaches it. A host already
 * over, or forecast to cross within the horizon, needs a proposal.
 */
export async function buildCapacityReview(deps: CapacityDeps, environment: string) {
  const today = wallTimeOf(deps.now(), deps.timezone);
  const to = instantOf({ ...today, hour: 0, minute: 0, second: 0, millisecond: 0 }, deps.timezone);
  const from = to - 90 * DAY_MS;
  const rows = await deps.storage.query<{ host: string; day: number; p95: number; peak: number }>(sql`
    SELECT host, toUnixTimestamp(toStartOfDay(time, ${deps.timezone})) * 1000 AS day, quantileExact(0.95)(total / n) AS p95, max(peak) AS peak
    FROM (
      SELECT host, time, sum(sum) AS total, sum(count) AS n, max(max) AS peak FROM metrics_1m
      WHERE environment = ${environment} AND name = 'cpu_utilisation_percent' AND labels['cpu'] = 'total' AND time >= ${ts(from)} AND time < ${ts(to)}
      GROUP BY host, time)
    GROUP BY host, day ORDER BY host, day`);
  const byHost = new Map<string, { day: number; p95: number; peak: number }[]>();
  for (const r of rows) {
    const days = byHost.get(r.host) ?? [];
    days.push({ day: Number(r.day), p95: Number(r.p95), peak: Number(r.peak) });
    byHost.set(r.host, days);
  }
  const horizon = to + deps.capacity.horizonDays * DAY_MS;
  const hosts = [...byHost.entries()].map(([host, days]) => {
    const threshold = agreedThreshold(deps.capacity, deps.rules, environment, host);
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
      daily: days.map((d) => ({ day: iso(d.day), p95_percent: round(d.p95, 1) })),
    };
  });
  return { environment, timezone: deps.timezone, generated_at: iso(deps.now()), from: iso(from), to: iso(to), horizon_days: deps.capacity.horizonDays, hosts };
}

/** A forecast as the review states it: the slope with its 95 % interval (points a day), and the crossing with its range, or why there is none. */
function describe(result: { trend?: Trend; crossing: Crossing }) {
  const { trend, crossing: c } = result;
  const slope = trend ? { slope_per_day: round(trend.slope, 3), slope_low: round(trend.slopeLow, 3), slope_high: round(trend.slopeHigh, 3) } : { slope_per_day: null, slope_low: null, slope_high: null };
  if (c.kind === 'crosses') return { kind: c.kind, ...slope, crosses_at: iso(c.at), earliest: iso(c.earliest), latest: iso(c.latest), points: trend!.points };
  return { kind: c.kind, ...slope, crosses_at: null, earliest: null, latest: null, points: trend?.points ?? (c.kind === 'not_enough_data' ? c.points : 0) };
}
