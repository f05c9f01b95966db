import { randomUUID } from 'node:crypto';
import type { Storage } from '../storage/client.ts';
import { join, raw, sql, ts, typed, type Sql } from '../storage/sql.ts';
import type { TimeRange } from '../shared/time-range.ts';
import { NAVIGATION_EVENT, type RumRows } from './rows.ts';
import { WEB_VITALS, type RumPageSummary, type RumPoint, type Spread, type WebVital } from './schemas.ts';

/** The page a URL belongs to, as the read API groups and filters it. */
const PAGE = raw('cutQueryStringAndFragment(page_url)');
export const PAGE_LOAD = 'page_load';

/**
 * Stores each table's rows. With an idempotency-key the dedup tokens are
 * derived from it, so a resend after a half-finished request (one table
 * written, the next failed) tops up the rest instead of doubling the first.
 */
export async function insertRumRows(storage: Storage, rows: RumRows, idempotency?: string): Promise<void> {
  for (const [table, tableRows] of Object.entries(rows) as [keyof RumRows, object[]][]) {
    await storage.insertRows(table, tableRows, idempotency ? `faro:${idempotency}:${table}` : randomUUID());
  }
}

export interface SeriesArgs extends TimeRange {
  environment: string;
  app?: string;
  page?: string;
  name: string;
  step: number;
}

function scope(a: { environment: string; app?: string; page?: string } & TimeRange): Sql {
  const parts = [sql`environment = ${a.environment}`, sql`timestamp >= ${ts(a.from)}`, sql`timestamp < ${ts(a.to)}`];
  if (a.app) parts.push(sql`app = ${a.app}`);
  if (a.page) parts.push(sql`${PAGE} = ${a.page}`);
  return join(parts, ' AND ');
}

/** p50/p95 per step of page-load time (navigation timing) or of one measurement (ttfb, lcp, …). */
export function rumSeries(storage: Storage, a: SeriesArgs): Promise<RumPoint[]> {
  const source =
    a.name === PAGE_LOAD
      ? sql`SELECT timestamp, assumeNotNull(duration_ms) AS v FROM rum_events WHERE name = ${NAVIGATION_EVENT} AND duration_ms IS NOT NULL AND ${scope(a)}`
      : sql`SELECT timestamp, value AS v FROM rum_measurements WHERE name = ${a.name} AND ${scope(a)}`;
  return storage.query<RumPoint>(sql`
    SELECT toUnixTimestamp(toStartOfInterval(toDateTime(timestamp), toIntervalSecond(${typed(a.step, 'UInt32')}))) * 1000 AS t,
      count() AS count, (quantiles(0.5, 0.95)(v) AS qs)[1] AS p50, qs[2] AS p95
    FROM (${source})
    GROUP BY t ORDER BY t`);
}

interface SpreadRow {
  app: string;
  page: string;
  count: number;
  p75: number | null;
  p95: number | null;
}

/** Per app and page: page loads and their load time, each web vital, exceptions. */
export async function rumSummary(storage: Storage, a: { environment: string } & TimeRange): Promise<RumPageSummary[]> {
  const where = scope(a);
  const [loads, vitals, errors] = await Promise.all([
    storage.query<SpreadRow & { loads: number }>(sql`
      SELECT app, ${PAGE} AS page, count() AS loads, count(duration_ms) AS count,
        (quantiles(0.75, 0.95)(duration_ms) AS qs)[1] AS p75, qs[2] AS p95
      FROM rum_events WHERE name = ${NAVIGATION_EVENT} AND ${where}
      GROUP BY app, page`),
    storage.query<SpreadRow & { name: WebVital }>(sql`
      SELECT app, ${PAGE} AS page, name, count() AS count, (quantiles(0.75, 0.95)(value) AS qs)[1] AS p75, qs[2] AS p95
      FROM rum_measurements WHERE has(${[...WEB_VITALS]}, name) AND ${where}
      GROUP BY app, page, name`),
    storage.query<{ app: string; page: string; count: number }>(sql`
      SELECT app, ${PAGE} AS page, count() AS count FROM rum_exceptions WHERE ${where} GROUP BY app, page`),
  ]);
  const pages = new Map<string, RumPageSummary>();
  const entry = (app: string, page: string) => {
    const id = `${app}\n${page}`;
    let summary = pages.get(id);
    if (!summary) {
      const empty = (): Spread => ({ count: 0, p75: null, p95: null });
      summary = { app, page, page_loads: 0, load_ms: empty(), ttfb: empty(), fcp: empty(), lcp: empty(), inp: empty(), cls: empty(), errors: 0 };
      pages.set(id, summary);
    }
    return summary;
  };
  const spread = (r: SpreadRow): Spread => ({ count: r.count, p75: r.p75, p95: r.p95 });
  for (const r of loads) Object.assign(entry(r.app, r.page), { page_loads: r.loads, load_ms: spread(r) });
  for (const r of vitals) entry(r.app, r.page)[r.name] = spread(r);
  for (const r of errors) entry(r.app, r.page).errors = r.count;
  return [...pages.values()].sort((x, y) => x.app.localeCompare(y.app) || x.page.localeCompare(y.page));
}
