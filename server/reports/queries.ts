import type { Storage } from '../storage/client.ts';
import { raw, sql, ts, typed } from '../storage/sql.ts';

export interface TargetTotals {
  target: string;
  probes: number;
  ok: number;
  /** Answered probes over 5 s (migration 014). */
  slow: number;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
}

const HOUR_MS = 3_600_000;

/**
 * Per target of one environment: probes, answers, slow answers and
 * answered-probe quantiles; from the hourly rollup when the range is whole
 * hours (a month in Tokyo is; one in a zone of half-hour offset is not).
 */
export function targetTotals(storage: Storage, environment: string, from: number, to: number): Promise<TargetTotals[]> {
  const table = raw(from % HOUR_MS === 0 && to % HOUR_MS === 0 ? 'probes_1h' : 'probes_1m');
  return storage.query<TargetTotals>(sql`
    SELECT target, sum(count) AS probes, sum(ok_count) AS ok, sum(slow_count) AS slow,
      (quantilesTDigestMerge(0.5, 0.9, 0.95, 0.99)(quantiles_ms) AS qs)[1] AS p50_ms, qs[3] AS p95_ms, qs[4] AS p99_ms
    FROM ${table}
    WHERE environment = ${environment} AND time >= ${ts(from)} AND time < ${ts(to)}
    GROUP BY target ORDER BY target`);
}

/**
 * Probes and answers inside the given intervals, per target (the minutes
 * declared maintenance leave out): from the 1-minute rollup, or from the
 * hourly one where the intervals are whole hours (a month whose minutes
 * have expired).
 */
export async function totalsWithin(storage: Storage, environment: string, intervals: { target: string; start: number; end: number }[], table: 'probes_1m' | 'probes_1h' = 'probes_1m'): Promise<Map<string, { probes: number; ok: number }>> {
  if (intervals.length === 0) return new Map();
  const rows = await storage.query<{ target: string; probes: number; ok: number }>(sql`
    SELECT target, sum(count) AS probes, sum(ok_count) AS ok
    FROM ${raw(table)}
    WHERE environment = ${environment} AND has(${[...new Set(intervals.map((i) => i.target))]}, target)
      AND arrayExists((t, s, e) -> t = target AND toUnixTimestamp(time) >= s AND toUnixTimestamp(time) < e,
        ${intervals.map((i) => i.target)}, ${typed(intervals.map((i) => Math.floor(i.start / 1000)), 'Array(Int64)')}, ${typed(intervals.map((i) => Math.ceil(i.end / 1000)), 'Array(Int64)')})
    GROUP BY target`);
  return new Map(rows.map((r) => [r.target, { probes: Number(r.probes), ok: Number(r.ok) }]));
}

/**
 * Whether the 1-minute rollup still holds [from, to) of an environment (the
 * CPU series, or the probes). It keeps `retention.metrics`/`probes` days,
 * the hourly one longer: when the hourly rollup has rows in the range older
 * than the first minute left, those minutes have expired.
 */
export async function minutesKept(storage: Storage, kind: 'metrics' | 'probes', environment: string, from: number, to: number): Promise<boolean> {
  const only = kind === 'metrics' ? sql`AND name = 'cpu_utilisation_percent'` : sql``;
  const [row] = await storage.query<{ older: number }>(sql`
    SELECT count() AS older FROM ${raw(`${kind}_1h`)}
    WHERE environment = ${environment} ${only} AND time >= ${ts(from)} AND time < ${ts(to)}
      AND time < (SELECT ifNull(toStartOfHour(minOrNull(time)), toDateTime('2106-01-01 00:00:00', 'UTC')) FROM ${raw(`${kind}_1m`)} WHERE environment = ${environment} ${only})`);
  return Number(row?.older ?? 0) === 0;
}

export interface HostCpu {
  host: string;
  minutes: number;
  mean: number;
  /** 95th percentile of the CPU samples, from the rollup's quantile state (migration 015). */
  p95: number;
  peak: number;
}

/**
 * The p95 of the buckets' merged quantile state; where no bucket has one
 * (hours rolled up before migration 015 whose raw samples had already
 * expired), the p95 of the bucket means instead. The Grafana boards use the
 * same text (grafana/boards/cpu.ts).
 */
export const CPU_P95_SQL = 'if(isNaN(quantilesTDigestMerge(0.5, 0.95, 0.99)(q)[2] AS state_p95), quantileExact(0.95)(total / n), state_p95)';
export const CPU_P95 = raw(CPU_P95_SQL);

/** Per host and bucket of the CPU (all cores) series: sum, count, peak and quantile state. */
const cpuWhere = (environment: string, from: number, to: number) =>
  sql`environment = ${environment} AND name = 'cpu_utilisation_percent' AND labels['cpu'] = 'total' AND time >= ${ts(from)} AND time < ${ts(to)}`;

export function cpuBuckets(table: 'metrics_1m' | 'metrics_1h', environment: string, from: number, to: number) {
  return sql`SELECT host, time, sum(sum) AS total, sum(count) AS n, max(max) AS peak, quantilesTDigestMergeState(0.5, 0.95, 0.99)(cpu_quantiles) AS q
    FROM ${raw(table)} WHERE ${cpuWhere(environment, from, to)}
    GROUP BY host, time`;
}

/**
 * CPU (all cores) per host, with the share of time whose mean was over the
 * host's threshold: from 1-minute buckets (the monthly report), or hourly
 * ones (the annual analysis: a year of minutes is too many). `minutes`
 * counts the buckets read.
 */
export async function hostCpu(storage: Storage, environment: string, from: number, to: number, thresholdOf: (host: string) => number, grain: 'minute' | 'hour' = 'minute'): Promise<(HostCpu & { threshold: number; minutes_above: number })[]> {
  const table = grain === 'hour' ? 'metrics_1h' : 'metrics_1m';
  const hosts = (await storage.query<{ host: string }>(sql`SELECT DISTINCT host FROM ${raw(table)} WHERE ${cpuWhere(environment, from, to)} ORDER BY host`)).map((r) => r.host);
  if (hosts.length === 0) return [];
  const thresholds = hosts.map(thresholdOf);
  // The minutes give the time over the threshold; the p95 needs no minutes:
  // the hourly state of a whole-hour range merges 60 times fewer states.
  const hourly = grain === 'minute' && from % 3_600_000 === 0 && to % 3_600_000 === 0;
  const rows = await storage.query<HostCpu & { minutes_above: number }>(sql`
    SELECT host, count() AS minutes, sum(total) / sum(n) AS mean, ${hourly ? raw('0') : CPU_P95} AS p95, max(peak) AS peak,
      countIf(total / n > arrayElement(${typed(thresholds, 'Array(Float64)')}, indexOf(${hosts}, host))) AS minutes_above
    FROM (${hourly ? sql`SELECT host, time, sum(sum) AS total, sum(count) AS n, max(max) AS peak FROM metrics_1m WHERE ${cpuWhere(environment, from, to)} GROUP BY host, time` : cpuBuckets(table, environment, from, to)})
    GROUP BY host ORDER BY host`);
  if (hourly) {
    const p95 = new Map((await storage.query<{ host: string; p95: number }>(sql`SELECT host, ${CPU_P95} AS p95 FROM (${cpuBuckets('metrics_1h', environment, from, to)}) GROUP BY host`)).map((r) => [r.host, Number(r.p95)]));
    for (const r of rows) r.p95 = p95.get(r.host) ?? Number.NaN;
  }
  return rows.map((r) => ({ ...r, threshold: thresholds[hosts.indexOf(r.host)]! }));
}

export interface LogErrors {
  service: string;
  level: string;
  count: number;
}

/** Error and warning lines per service and level, from the 1-minute rollup. */
export function logErrors(storage: Storage, environment: string, from: number, to: number): Promise<LogErrors[]> {
  return storage.query<LogErrors>(sql`
    SELECT service, level, sum(count) AS count FROM logs_1m
    WHERE environment = ${environment} AND has(['fatal', 'error', 'warn'], level) AND time >= ${ts(from)} AND time < ${ts(to)}
    GROUP BY service, level`);
}
