import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../../test/helpers/runtime.ts';

// Real chDB in a temporary directory; requests go through app.inject.
let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => {
  await rt.close();
});

// Yesterday 00:00 UTC: recent enough for every retention, aligned to rollup buckets.
const T0 = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000;
const iso = (offsetMs: number) => new Date(T0 + offsetMs).toISOString();
const ndjson = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

function post(kind: string, payload: string | Buffer, headers: Record<string, string> = {}) {
  return rt.app.inject({ method: 'POST', url: `/api/v1/ingest/${kind}`, payload, headers: { ...rt.auth, 'content-type': 'application/x-ndjson', ...headers } });
}

async function logCount(query: string): Promise<number> {
  await rt.writer.flush();
  const res = await rt.app.inject({ headers: rt.admin, url: `/api/v1/logs?from=2000-01-01T00:00:00Z&limit=0&${query}` });
  expect(res.statusCode).toBe(200);
  return res.json().total;
}

describe('ingest → query round trips', () => {
  it('stores NDJSON logs and returns them newest first with the total', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({
      timestamp: iso(i * 1000),
      environment: 'production',
      host: 'web-1',
      service: 'roundtrip',
      level: i === 4 ? 'ERROR' : 'info',
      message: `request ${i} done`,
      attributes: { request_id: `r${i}`, status: 200, cached: false },
    }));
    const res = await post('logs', ndjson(rows));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accepted: 5, duplicate: false });
    await rt.writer.flush();
    const read = await rt.app.inject({ headers: rt.admin, url: `/api/v1/logs?service=roundtrip&from=${T0}&to=${T0 + 60_000}&limit=2` });
    const body = read.json();
    expect(body.total).toBe(5);
    expect(body.rows).toHaveLength(2);
    expect(body.rows[0]).toEqual({
      timestamp: iso(4000),
      environment: 'production',
      host: 'web-1',
      service: 'roundtrip',
      level: 'error',
      message: 'request 4 done',
      attributes: { cached: 'false', request_id: 'r4', status: '200' },
    });
    expect(await logCount('service=roundtrip&level=error')).toBe(1);
    expect(await logCount('service=roundtrip&q=REQUEST%203')).toBe(1);
  });

  it('counts the same from the per-minute rollup as from raw lines, with partial minutes at both edges', async () => {
    const seconds = [5, 59, 60, 61, 119, 120, 150, 179, 180, 245];
    const rows = seconds.map((s, i) => ({ timestamp: iso(s * 1000), environment: 'staging', service: 'edges', level: i % 2 ? 'error' : 'info', message: `at ${s}s` }));
    await post('logs', ndjson(rows));
    await rt.writer.flush();
    // limit=0 asks for the count alone; with a page, the count's reads run beside the page's (one query).
    const count = async (from: number, to: number, extra = '', limit = 0) =>
      (await rt.app.inject({ headers: rt.admin, url: `/api/v1/logs?service=edges&from=${T0 + from * 1000}&to=${T0 + to * 1000}&limit=${limit}${extra}` })).json().total;
    const expected = (from: number, to: number, levels?: string) => rows.filter((r, i) => seconds[i]! >= from && seconds[i]! < to && (!levels || levels === r.level)).length;
    for (const [from, to] of [[0, 300], [30, 200], [59, 180], [61, 121], [60, 120], [150, 151]] as const) {
      expect(await count(from, to)).toBe(expected(from, to));
      expect(await count(from, to, '&level=error')).toBe(expected(from, to, 'error'));
      expect(await count(from, to, '', 3)).toBe(expected(from, to));
      expect(await count(from, to, '&level=error', 3)).toBe(expected(from, to, 'error'));
      // A text search always reads raw lines; it must agree.
      expect(await count(from, to, '&q=at')).toBe(expected(from, to));
    }
  });

  it('accepts a JSON array, gzip bodies, and epoch-millisecond timestamps', async () => {
    const rows = [{ timestamp: T0 + 5, environment: 'staging', service: 'array', message: 'from an array' }];
    expect((await post('logs', JSON.stringify(rows), { 'content-type': 'application/json' })).statusCode).toBe(200);
    const gz = gzipSync(ndjson([{ timestamp: iso(10), environment: 'staging', service: 'gzip', message: 'compressed', level: 'warning' }]));
    expect((await post('logs', gz, { 'content-encoding': 'gzip' })).statusCode).toBe(200);
    expect(await logCount('service=array&environment=staging')).toBe(1);
    expect(await logCount('service=gzip&level=warn')).toBe(1);
  });

  it('stores metrics and serves series from raw rows and from the 1-minute and 1-hour rollups', async () => {
    const rows = [0, 15, 30, 75].map((s, i) => ({ timestamp: iso(s * 1000), environment: 'production', host: 'db-1', name: 'cpu_utilisation_percent', value: 10 * (i + 1), labels: { cpu: 'total' } }));
    expect((await post('metrics', ndjson(rows))).statusCode).toBe(200);
    await rt.writer.flush();
    const series = async (step: number) => (await rt.app.inject({ headers: rt.admin, url: `/api/v1/series?source=metrics&environment=production&host=db-1&name=cpu_utilisation_percent&from=${T0}&to=${T0 + 3_600_000}&step=${step}` })).json();
    const raw = await series(15);
    expect(raw.resolution).toBe('raw');
    expect(raw.points.map((p: { avg: number }) => p.avg)).toEqual([10, 20, 30, 40]);
    const minute = await series(60);
    expect(minute.resolution).toBe('1m');
    expect(minute.points).toEqual([
      { t: T0, count: 3, avg: 20, min: 10, max: 30, last: 30 },
      { t: T0 + 60_000, count: 1, avg: 40, min: 40, max: 40, last: 40 },
    ]);
    const hour = await series(3600);
    expect(hour.resolution).toBe('1h');
    expect(hour.points).toEqual([{ t: T0, count: 4, avg: 25, min: 10, max: 40, last: 40 }]);
  });

  it('stores probes and counts answers over the 5 s target in every resolution (a probe that failed after 30 s is a failure, not a slow answer)', async () => {
    const totals = [120, 250, 6000, 4999, 5001, 30_000];
    const rows = totals.map((total_ms, i) => ({ timestamp: iso(i * 10_000), environment: 'production', target: 'portal-top', url: 'https://portal.example.jp/', ok: total_ms < 30_000, status: 200, dns_ms: 1, connect_ms: 2, tls_ms: 3, ttfb_ms: total_ms - 10, total_ms }));
    expect((await post('probes', JSON.stringify(rows), { 'content-type': 'application/json' })).statusCode).toBe(200);
    await rt.writer.flush();
    for (const step of [10, 60, 3600]) {
      const body = (await rt.app.inject({ headers: rt.admin, url: `/api/v1/series?source=probes&environment=production&target=portal-top&from=${T0}&to=${T0 + 3_600_000}&step=${step}` })).json();
      const sum = (f: string) => body.points.reduce((n: number, p: Record<string, number>) => n + p[f]!, 0);
      expect(sum('count')).toBe(6);
      expect(sum('slow_count')).toBe(2);
      expect(Math.max(...body.points.map((p: { max_ms: number }) => p.max_ms))).toBe(30_000);
    }
  });

  it('pages through lines of one millisecond without repeating or skipping any', async () => {
    // 120 lines with the same timestamp, and a few older ones: pages of 50 cut through the tie.
    const rows = [...Array.from({ length: 120 }, (_, i) => ({ timestamp: iso(10_800_000), environment: 'production', host: `h${i % 3}`, service: 'tie', level: 'info', message: `same ms ${i}` })),
      ...Array.from({ length: 5 }, (_, i) => ({ timestamp: iso(10_800_000 - 1000 * (i + 1)), environment: 'production', host: 'h0', service: 'tie', level: 'info', message: `older ${i}` }))];
    expect((await post('logs', ndjson(rows))).statusCode).toBe(200);
    await rt.writer.flush();
    const page = async (offset: number) => (await rt.app.inject({ headers: rt.admin, url: `/api/v1/logs?service=tie&from=${T0 + 10_700_000}&to=${T0 + 10_900_000}&limit=50&offset=${offset}` })).json() as { total: number; rows: { message: string }[] };
    const pages = [await page(0), await page(50), await page(100)];
    expect(pages.map((p) => p.total)).toEqual([125, 125, 125]);
    const seen = pages.flatMap((p) => p.rows.map((r) => r.message));
    expect(seen).toHaveLength(125);
    expect(new Set(seen).size).toBe(125);
    expect(seen.slice(-5)).toEqual(['older 0', 'older 1', 'older 2', 'older 3', 'older 4']);
    // The first page of a range whose 50th and 51st lines differ reads in the table's order; same lines, same order as the fully sorted read.
    const early = (await rt.app.inject({ headers: rt.admin, url: `/api/v1/logs?service=tie&from=${T0 + 10_700_000}&to=${T0 + 10_800_000}&limit=3` })).json() as { total: number; rows: { message: string }[] };
    expect([early.total, early.rows.map((r) => r.message)]).toEqual([5, ['older 0', 'older 1', 'older 2']]);
  });

  it('takes response-time quantiles from answered probes only, in every resolution', async () => {
    // Minute 0: two answers and four refusals in 1 ms (which would make the median 1 ms); minute 1: only failures.
    const rows = [[0, true, 400], [5, true, 600], [10, false, 1], [20, false, 1], [30, false, 1], [40, false, 1], [65, false, 2], [70, false, 3]].map(([s, ok, total_ms]) => ({ timestamp: iso(7_200_000 + (s as number) * 1000), environment: 'production', target: 'flaky', ok, status: ok ? 200 : 0, total_ms }));
    expect((await post('probes', JSON.stringify(rows), { 'content-type': 'application/json' })).statusCode).toBe(200);
    await rt.writer.flush();
    for (const step of [60, 3600]) {
      const body = (await rt.app.inject({ headers: rt.admin, url: `/api/v1/series?source=probes&environment=production&target=flaky&from=${T0 + 7_200_000}&to=${T0 + 10_800_000}&step=${step}` })).json();
      const [first] = body.points as { p50_ms: number | null; p95_ms: number | null }[];
      expect(first!.p50_ms, `step ${step}`).toBeGreaterThanOrEqual(400);
      expect(first!.p95_ms, `step ${step}`).toBeGreaterThanOrEqual(400);
      if (step === 60) expect(body.points[1].p95_ms).toBeNull(); // only failures: no response time at all
    }
  });

  it('makes accepted rows queryable within about one flush interval without an explicit flush', async () => {
    await post('logs', ndjson([{ timestamp: iso(0), environment: 'production', service: 'timer', message: 'soon visible' }]));
    const started = Date.now();
    let total = 0;
    while (total === 0 && Date.now() - started < 5000) {
      total = (await rt.app.inject({ headers: rt.admin, url: `/api/v1/logs?service=timer&from=${T0}&limit=0` })).json().total;
      if (total === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(total).toBe(1);
  });
});

describe('idempotency', () => {
  it('stores a retried batch once and says it was a duplicate', async () => {
    const body = ndjson([1, 2, 3].map((i) => ({ timestamp: iso(i), environment: 'production', service: 'retry', message: `line ${i}` })));
    const first = await post('logs', body, { 'idempotency-key': 'batch-0001' });
    const again = await post('logs', body, { 'idempotency-key': 'batch-0001' });
    // gzip makes the handler wait on decompression: the second copy arrives while the first is in flight.
    const gz = gzipSync(body);
    const concurrent = await Promise.all([0, 1, 2].map(() => post('logs', gz, { 'idempotency-key': 'batch-0002', 'content-encoding': 'gzip' })));
    expect(first.json()).toEqual({ accepted: 3, duplicate: false });
    expect(again.json()).toEqual({ accepted: 3, duplicate: true });
    expect(concurrent.map((r) => r.json().duplicate).sort()).toEqual([false, true, true]);
    expect(await logCount('service=retry')).toBe(6);
  });
});
