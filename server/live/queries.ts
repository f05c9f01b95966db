import type { Storage } from '../storage/client.ts';
import { sql, ts, typed, type Sql } from '../storage/sql.ts';

// The wall's queries: three, and a fourth only when a target has been
// silent for over an hour. Their number never grows with targets or hosts.
// Tables are ordered by (environment, target, time) in 8,192-row granules,
// so "the last hour of every target" reads one granule per target whatever
// the span; raw rows beat the rollup's t-digest states there (bench/wall-data.ts).

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
export const SPARK_MINUTES = 60;

export interface Scope {
  now: number;
  environment?: string;
}

const envFilter = (environment: string | undefined): Sql => (environment ? sql` AND environment = ${environment}` : sql``);
const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;
/** Rollup buckets are DateTime: a DateTime64 bound would be cast row by row (about 2 ms a query here). */
const bucket = (ms: number) => typed(Math.floor(ms / 1000), "DateTime('UTC')");

export interface RecentProbes {
  environment: string;
  target: string;
  at: number;
  last_ms: number;
  last_ok: boolean | number;
  p95_ms: number | null;
}

/** Per target heard from in the last hour: its newest probe and the hour's p95 of the probes that succeeded, from raw rows. */
export function recentProbes(storage: Storage, s: Scope): Promise<RecentProbes[]> {
  return storage.query(sql`
    SELECT environment, target, toUnixTimestamp64Milli(max(timestamp)) AS at, argMax(total_ms, timestamp) AS last_ms, argMax(ok, timestamp) AS last_ok,
      quantileTDigestIf(0.95)(total_ms, ok) AS p95_ms
    FROM probes
    WHERE timestamp >= ${ts(s.now - HOUR_MS)}${envFilter(s.environment)}
    GROUP BY environment, target`);
}

export interface ProbeDay {
  environment: string;
  target: string;
  today_count: number;
  today_ok: number;
}

/**
 * Every target probed in the last 24 h, with its probes since local midnight.
 * The 1-hour rollup's newest row is the hour so far, so it answers from the
 * first whole hour on; only a midnight off the hour (a +5:30 zone) needs the
 * minutes before that hour from the 1-minute rollup.
 */
export function probeDay(storage: Storage, s: Scope & { midnight: number }): Promise<ProbeDay[]> {
  const h0 = Math.ceil(s.midnight / HOUR_MS) * HOUR_MS;
  const env = envFilter(s.environment);
  const edge = h0 > s.midnight ? sql`
      UNION ALL
      SELECT environment, target, count AS c, ok_count AS o
      FROM probes_1m WHERE time >= ${bucket(s.midnight)} AND time < ${bucket(h0)}${env}` : sql``;
  return storage.query(sql`
    SELECT environment, target, sum(c) AS today_count, sum(o) AS today_ok FROM (
      SELECT environment, target, if(time >= ${bucket(h0)}, count, 0) AS c, if(time >= ${bucket(h0)}, ok_count, 0) AS o
      FROM probes_1h WHERE time >= ${bucket(floorTo(s.now - DAY_MS, HOUR_MS))}${env}${edge})
    GROUP BY environment, target`);
}

export interface FailureDetail {
  environment: string;
  target: string;
  last_status: number;
  last_error: string;
}

/**
 * What the newest probe of each given target said when it failed: a keyed
 * lookup run only for targets whose newest probe failed, so the common case
 * (everything up) reads no status or error text.
 */
export function failureDetails(storage: Storage, s: Scope & { targets: { environment: string; target: string }[] }): Promise<FailureDetail[]> {
  const environments = [...new Set(s.targets.map((t) => t.environment))];
  const targets = [...new Set(s.targets.map((t) => t.target))];
  return storage.query(sql`
    SELECT environment, target, argMax(status, timestamp) AS last_status, argMax(error, timestamp) AS last_error
    FROM probes
    WHERE environment IN ${typed(environments, 'Array(String)')} AND target IN ${typed(targets, 'Array(String)')} AND timestamp >= ${ts(s.now - DAY_MS)}
    GROUP BY environment, target`);
}

export type LastProbe = Omit<RecentProbes, 'p95_ms'> & Partial<Pick<FailureDetail, 'last_status' | 'last_error'>>;

/** The newest probe in the last 24 h of targets silent for over an hour (a keyed lookup, not a scan). */
export function lastProbes(storage: Storage, s: Scope & { targets: { environment: string; target: string }[] }): Promise<LastProbe[]> {
  const environments = [...new Set(s.targets.map((t) => t.environment))];
  const targets = [...new Set(s.targets.map((t) => t.target))];
  return storage.query(sql`
    SELECT environment, target, toUnixTimestamp64Milli(max(timestamp)) AS at, argMax(total_ms, timestamp) AS last_ms, argMax(ok, timestamp) AS last_ok,
      argMax(status, timestamp) AS last_status, argMax(error, timestamp) AS last_error
    FROM probes
    WHERE environment IN ${typed(environments, 'Array(String)')} AND target IN ${typed(targets, 'Array(String)')} AND timestamp >= ${ts(s.now - DAY_MS)}
    GROUP BY environment, target`);
}

export interface CpuSeries {
  environment: string;
  host: string;
  /** Minute starts (epoch ms) and their average utilisation, oldest first. */
  t: number[];
  v: number[];
}

/** The last hour of total CPU utilisation of every host, one array per host. */
export function cpuSeries(storage: Storage, s: Scope): Promise<CpuSeries[]> {
  const from = floorTo(s.now, MINUTE_MS) - (SPARK_MINUTES - 1) * MINUTE_MS;
  return storage.query(sql`
    SELECT environment, host, groupArray(t) AS t, groupArray(v) AS v FROM (
      SELECT environment, host, toUnixTimestamp(time) * 1000 AS t, sum(sum) / sum(count) AS v
      FROM metrics_1m
      WHERE name = 'cpu_utilisation_percent' AND time >= ${bucket(from)} AND labels['cpu'] = 'total'${envFilter(s.environment)}
      GROUP BY environment, host, time
      ORDER BY environment, host, time)
    GROUP BY environment, host`);
}

/** Minute starts of the spark, oldest first. */
export function sparkMinutes(now: number): number[] {
  const last = floorTo(now, MINUTE_MS);
  return Array.from({ length: SPARK_MINUTES }, (_, i) => last - (SPARK_MINUTES - 1 - i) * MINUTE_MS);
}
