import { join, raw, sql, ts, typed, type Sql } from '../storage/sql.ts';
import type { Storage } from '../storage/client.ts';
import type { TimeRange } from '../shared/time-range.ts';
import type { MetricPointT, ProbePointT } from './schemas.ts';

export interface LogFilter extends TimeRange {
  environment?: string;
  host?: string;
  service?: string;
  levels?: string[];
  text?: string;
  /** An RE2 expression the whole message must match (a pattern's template). */
  regex?: string;
}

function logWhere(f: LogFilter): Sql {
  const parts = [sql`timestamp >= ${ts(f.from)}`, sql`timestamp < ${ts(f.to)}`];
  if (f.environment) parts.push(sql`environment = ${f.environment}`);
  if (f.host) parts.push(sql`host = ${f.host}`);
  if (f.service) parts.push(sql`service = ${f.service}`);
  // IN, not has(): the engine reads `has(levels, level)` row by row (on 2M lines a count took 11.8 ms against 6.6).
  if (f.levels?.length) parts.push(sql`level IN ${f.levels}`);
  if (f.text) parts.push(sql`positionCaseInsensitiveUTF8(message, ${f.text}) > 0`);
  if (f.regex) parts.push(sql`match(message, ${f.regex})`);
  return join(parts, ' AND ');
}

const MINUTE_MS = 60_000;

/** One read that counts matching lines: the aggregate and the table with its condition. */
interface CountRead {
  aggregate: Sql;
  source: Sql;
}

/**
 * The reads whose counts add up to the matching lines. Without a text
 * search the whole minutes come from the logs_1m rollup and only the
 * partial minutes at the edges (one read for both) are counted from raw
 * lines, so a count over months stays a few milliseconds.
 */
function countReads(f: LogFilter): CountRead[] {
  const innerFrom = Math.ceil(f.from / MINUTE_MS) * MINUTE_MS;
  const innerTo = Math.floor(f.to / MINUTE_MS) * MINUTE_MS;
  if (f.text || f.regex || innerFrom >= innerTo) return [{ aggregate: sql`count()`, source: sql`logs WHERE ${logWhere(f)}` }];
  const edges = sql`((timestamp >= ${ts(f.from)} AND timestamp < ${ts(innerFrom)}) OR (timestamp >= ${ts(innerTo)} AND timestamp < ${ts(f.to)}))`;
  return [
    { aggregate: sql`sum(count)`, source: sql`logs_1m WHERE time >= ${ts(innerFrom)} AND time < ${ts(innerTo)}${rollupWhere(f)}` },
    { aggregate: sql`count()`, source: sql`logs WHERE ${edges}${rollupWhere(f)}` },
  ];
}

/** The count of matching lines as one SQL expression (its reads as scalar subqueries). */
function countExpression(f: LogFilter): Sql {
  return sql`(${join(countReads(f).map((r) => sql`(SELECT ${r.aggregate} FROM ${r.source})`), ' + ')})`;
}

export async function countLogs(storage: Storage, f: LogFilter): Promise<number> {
  const [row] = await storage.query<{ total: string }>(sql`SELECT ${countExpression(f)} AS total`);
  return Number(row?.total ?? 0);
}

function rollupWhere(f: LogFilter): Sql {
  const parts: Sql[] = [];
  if (f.environment) parts.push(sql` AND environment = ${f.environment}`);
  if (f.host) parts.push(sql` AND host = ${f.host}`);
  if (f.service) parts.push(sql` AND service = ${f.service}`);
  if (f.levels?.length) parts.push(sql` AND level IN ${f.levels}`);
  return join(parts, '');
}

export interface LogRowOut {
  timestamp: string;
  environment: string;
  host: string;
  service: string;
  level: string;
  message: string;
  attributes: Record<string, string>;
}

/** A target's newest probes (newest first), as an alert mail shows them: when, the answer, the error. */
export interface ProbeLine {
  at: number;
  ok: boolean;
  status: number;
  error: string;
  total_ms: number;
}

export function newestProbes(storage: Storage, environment: string, target: string, since: number, limit: number): Promise<ProbeLine[]> {
  return storage.query<ProbeLine>(sql`
    SELECT toUnixTimestamp64Milli(timestamp) AS at, ok, status, error, total_ms
    FROM probes WHERE environment = ${environment} AND target = ${target} AND timestamp >= ${ts(since)}
    ORDER BY timestamp DESC LIMIT ${typed(limit, 'UInt32')}`);
}

type LogRowWithTotal = Omit<LogRowOut, 'timestamp'> & { t: number; total: string };
/** Lines read past the first page: more lines of its last millisecond than this need the ordered read. */
const TIE_ROOM = 50;

/**
 * A page of matching lines, newest first, and the count of all of them, in
 * one query (each read of the engine costs milliseconds of its own). Lines
 * of the same millisecond always come in one order (host, service,
 * message), so pages of one fixed range neither overlap nor skip. The first
 * page reads in the table's own order and stops a little past itself;
 * later pages, and a first page whose last millisecond holds more lines
 * than that, need the slower fully ordered read.
 */
export async function searchLogs(storage: Storage, f: LogFilter, limit: number, offset = 0): Promise<{ total: number; rows: LogRowOut[] }> {
  if (limit === 0) return { total: await countLogs(storage, f), rows: [] };
  const columns = sql`toUnixTimestamp64Milli(timestamp) AS t, environment, host, service, level, message, attributes`;
  if (offset === 0) {
    // A few lines past the page, so every line of its last millisecond is among them (checked
    // below) and the order below can pick among them; WITH TIES would read slower. The count's
    // reads are UNION ALL branches beside the page, which the engine runs side by side (as scalar
    // subqueries they would run one after another before it): part 0 is the page, the others
    // each carry a count in `t`.
    const counts = countReads(f).map((r) => sql` UNION ALL SELECT 1, toInt64(${r.aggregate}), '', '', '', '', '', map() FROM ${r.source}`);
    const rows = await storage.query<Omit<LogRowWithTotal, 'total'> & { part: number }>(sql`
      SELECT 0 AS part, * FROM (SELECT ${columns} FROM logs WHERE ${logWhere(f)} ORDER BY timestamp DESC LIMIT ${typed(limit + TIE_ROOM, 'UInt32')})${join(counts, '')}`);
    const page = rows.filter((r) => r.part === 0).sort(sameMillisecondOrder);
    const complete = page.length < limit + TIE_ROOM || page[limit - 1]!.t !== page.at(-1)!.t;
    const total = rows.filter((r) => r.part !== 0).reduce((n, r) => n + Number(r.t), 0);
    if (complete) return { total, rows: page.slice(0, limit).map(toRowOut) };
  }
  const rows = await storage.query<LogRowWithTotal>(sql`
    SELECT *, ${countExpression(f)} AS total FROM (
      SELECT ${columns} FROM logs WHERE ${logWhere(f)} ORDER BY timestamp DESC LIMIT ${typed(limit + offset, 'UInt32')} WITH TIES)
    ORDER BY t DESC, host, service, message LIMIT ${typed(limit, 'UInt32')} OFFSET ${typed(offset, 'UInt32')}`);
  // Paged past the end: the count on its own.
  return { total: rows.length ? Number(rows[0]!.total) : await countLogs(storage, f), rows: rows.map(toRowOut) };
}

/** The order of the outer sort above, in JavaScript: newest first, then host, service, message as the engine compares strings (UTF-8 bytes). */
function sameMillisecondOrder(a: Pick<LogRowWithTotal, 't' | 'host' | 'service' | 'message'>, b: Pick<LogRowWithTotal, 't' | 'host' | 'service' | 'message'>): number {
  const text = (x: string, y: string) => Buffer.compare(Buffer.from(x), Buffer.from(y));
  return b.t - a.t || text(a.host, b.host) || text(a.service, b.service) || text(a.message, b.message);
}

/** A line as the API gives it: its time as text, without the query's helper columns (the count, the union's part). */
const toRowOut = ({ t, total: _total, part: _part, ...rest }: Omit<LogRowWithTotal, 'total'> & { total?: string; part?: number }): LogRowOut => ({ timestamp: new Date(t).toISOString(), ...rest });

/** Newest first, for mails and the first response (no count). */
export async function newestLogs(storage: Storage, f: LogFilter, limit: number): Promise<LogRowOut[]> {
  const rows = await storage.query<Omit<LogRowOut, 'timestamp'> & { t: number }>(sql`
    SELECT toUnixTimestamp64Milli(timestamp) AS t, environment, host, service, level, message, attributes
    FROM logs WHERE ${logWhere(f)}
    ORDER BY timestamp DESC LIMIT ${typed(limit, 'UInt32')}`);
  return rows.map(({ t, ...rest }) => ({ timestamp: new Date(t).toISOString(), ...rest }));
}

export type Resolution = 'raw' | '1m' | '1h';

/** The coarsest stored resolution whose buckets divide the step evenly. */
export function resolutionFor(stepSeconds: number): Resolution {
  if (stepSeconds % 3600 === 0) return '1h';
  if (stepSeconds % 60 === 0) return '1m';
  return 'raw';
}

const TABLES = {
  probes: { raw: 'probes', '1m': 'probes_1m', '1h': 'probes_1h' },
  metrics: { raw: 'metrics', '1m': 'metrics_1m', '1h': 'metrics_1h' },
} as const;

interface SeriesArgs extends TimeRange {
  environment: string;
  step: number;
  resolution: Resolution;
}

function bucket(column: string, step: number): Sql {
  return sql`toUnixTimestamp(toStartOfInterval(toDateTime(${raw(column)}), toIntervalSecond(${typed(step, 'UInt32')}))) * 1000`;
}

export function probeSeries(storage: Storage, a: SeriesArgs & { target: string }): Promise<ProbePointT[]> {
  const table = raw(TABLES.probes[a.resolution]);
  if (a.resolution === 'raw') {
    return storage.query(sql`
      SELECT ${bucket('timestamp', a.step)} AS t, count() AS count, countIf(ok) / count() AS ok_ratio,
        countIf(ok AND total_ms > 5000) AS slow_count, avg(total_ms) AS avg_ms, max(total_ms) AS max_ms,
        (quantilesTDigestIf(0.5, 0.95, 0.99)(total_ms, ok) AS qs)[1] AS p50_ms, qs[2] AS p95_ms, qs[3] AS p99_ms,
        avg(dns_ms) AS dns_ms, avg(connect_ms) AS connect_ms, avg(tls_ms) AS tls_ms, avg(ttfb_ms) AS ttfb_ms
      FROM ${table}
      WHERE environment = ${a.environment} AND target = ${a.target} AND timestamp >= ${ts(a.from)} AND timestamp < ${ts(a.to)}
      GROUP BY t ORDER BY t`);
  }
  return storage.query(sql`
    SELECT ${bucket('r.time', a.step)} AS t, sum(r.count) AS count, sum(r.ok_count) / sum(r.count) AS ok_ratio,
      sum(r.slow_count) AS slow_count, sum(r.sum_ms) / sum(r.count) AS avg_ms, max(r.max_ms) AS max_ms,
      (quantilesTDigestMerge(0.5, 0.9, 0.95, 0.99)(r.quantiles_ms) AS qs)[1] AS p50_ms, qs[3] AS p95_ms, qs[4] AS p99_ms,
      avgMerge(r.dns_ms) AS dns_ms, avgMerge(r.connect_ms) AS connect_ms, avgMerge(r.tls_ms) AS tls_ms, avgMerge(r.ttfb_ms) AS ttfb_ms
    FROM ${table} AS r
    WHERE r.environment = ${a.environment} AND r.target = ${a.target} AND r.time >= ${bucketStart(a.from, a.step)} AND r.time < ${ts(a.to)}
    GROUP BY t ORDER BY t`);
}

/** `label` (`[key, value]`) keeps one series of a metric that has several (per core, per period). */
export function metricSeries(storage: Storage, a: SeriesArgs & { host: string; name: string; label?: [string, string] }): Promise<MetricPointT[]> {
  const table = raw(TABLES.metrics[a.resolution]);
  const [key, value] = a.label ?? ['', ''];
  if (a.resolution === 'raw') {
    return storage.query(sql`
      SELECT ${bucket('timestamp', a.step)} AS t, count() AS count, avg(value) AS avg, min(value) AS min, max(value) AS max, argMax(value, timestamp) AS last
      FROM ${table}
      WHERE environment = ${a.environment} AND name = ${a.name} AND host = ${a.host} AND timestamp >= ${ts(a.from)} AND timestamp < ${ts(a.to)}
        AND (${key} = '' OR labels[${key}] = ${value})
      GROUP BY t ORDER BY t`);
  }
  return storage.query(sql`
    SELECT ${bucket('r.time', a.step)} AS t, sum(r.count) AS count, sum(r.sum) / sum(r.count) AS avg, min(r.min) AS min, max(r.max) AS max, argMaxMerge(r.last) AS last
    FROM ${table} AS r
    WHERE r.environment = ${a.environment} AND r.name = ${a.name} AND r.host = ${a.host} AND r.time >= ${bucketStart(a.from, a.step)} AND r.time < ${ts(a.to)}
      AND (${key} = '' OR r.labels[${key}] = ${value})
    GROUP BY t ORDER BY t`);
}

/** Rollup rows are keyed by their bucket start, so include the bucket that holds `from`. */
function bucketStart(from: number, stepSeconds: number) {
  return ts(Math.floor(from / (stepSeconds * 1000)) * stepSeconds * 1000);
}
