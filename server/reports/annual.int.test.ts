import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../../test/helpers/runtime.ts';
import { sql, ts, typed } from '../storage/sql.ts';
import { theilSenTrend } from './forecast.ts';

const theilSen = (points: readonly (readonly [number, number])[]) => theilSenTrend(points)!.slope;
import { monthIds } from './period.ts';
import { seedProbes } from './telemetry.fixture.ts';

// November 2025 – October 2026 in JST, with answers worked out by hand.
const jst = (wall: string) => Date.parse(`${wall}+09:00`);
const MONTHS = monthIds('2025-11', 12);
let clock = jst('2025-11-01T00:00');
let rt: TestRuntime;
const operator = { name: 'sato', role: 'operator' as const };

beforeAll(async () => {
  rt = await openTestRuntime({ yaml: 'agent: { enabled: false }\nrules: []\n', now: () => clock });
  for (const [i, id] of MONTHS.entries()) {
    const tenth = jst(`${id}-10T12:00`);
    // portal answers in 6 s all through March 2026; api is always quick.
    await seedProbes(rt.storage, 'portal', tenth, 24, true, id === '2026-03' ? 6000 : 200);
    await seedProbes(rt.storage, 'api', tenth, 24, true, 300);
    // db-1's CPU climbs 3 points a month: 50 % in November … 83 % in October (one month over 80 %).
    await rt.storage.command(sql`
      INSERT INTO metrics (timestamp, environment, host, name, labels, value)
      SELECT ${ts(tenth)} + toIntervalMinute(number), 'production', 'db-1', 'cpu_utilisation_percent', map('cpu', 'total'), ${typed(50 + 3 * i, 'Float64')}
      FROM numbers(10)`);
  }
  // staging's search, month i (0–11): 24 probes, i of them failed, the rest answered in 1,000 + 100·i ms:
  // availability 100 − 100·i/24 (−4.167 points a month), p95 1,000 + 100·i (+100 ms a month).
  for (const [i, id] of MONTHS.entries()) {
    await rt.storage.command(sql`
      INSERT INTO probes (timestamp, environment, target, url, ok, status, total_ms)
      SELECT ${ts(jst(`${id}-12T12:00`))} + toIntervalMinute(number), 'staging', 'search', 'https://example.jp/', number >= ${typed(i, 'UInt32')}, 200, ${typed(1000 + 100 * i, 'Float64')}
      FROM numbers(24)`);
  }
  // The same batch delay twice, never fixed for good; a one-off disk alarm.
  for (const [at, title] of [['2026-01-15T09:00', 'バッチ遅延'], ['2026-06-15T09:00', 'バッチ遅延'], ['2026-07-01T09:00', 'ディスク逼迫']] as const) {
    clock = jst(at);
    await rt.alerting.ledger.openManual({ type: 'incident', title, environment: 'production', severity: 'warning' }, operator);
  }
  clock = jst('2026-11-05T09:00');
}, 60_000);
afterAll(async () => rt?.close());

const get = (query: string, headers: Record<string, string> = {}) => rt.app.inject({ headers: { ...rt.admin, ...headers }, url: `/api/v1/reports/annual?${query}` });

describe('the annual analysis (item 9)', () => {
  it('sets twelve months side by side, worst target first, with each host’s trend', async () => {
    const res = await get('from=2025-11&environment=production');
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report.months.map((m: { month: string }) => m.month)).toEqual(MONTHS);
    expect(report.months.map((m: { targets_meeting_slo: number }) => m.targets_meeting_slo)).toEqual([2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 2]);
    expect(report.targets[0]).toMatchObject({ target: 'portal', probes: 288, within_target_percent: 91.667, months_slo_missed: 1 });
    expect(report.targets[0].monthly['2026-03']).toBe(0);
    expect(report.targets[1]).toMatchObject({ target: 'api', within_target_percent: 100, months_slo_missed: 0 });
    expect(report.hosts).toEqual([
      { host: 'db-1', threshold_percent: 80, peak_percent: 83, months_over_threshold: 1, p95_trend_per_month: 3, monthly: Object.fromEntries(MONTHS.map((id, i) => [id, 50 + 3 * i])) },
    ]);
    expect(report.months.map((m: { incidents_opened: number }) => m.incidents_opened)).toEqual([0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0]);
    expect(report.recurring).toEqual([{ key: 'バッチ遅延', title: 'バッチ遅延', title_en: 'バッチ遅延', occurrences: 2, permanent_fix: false, tickets: [expect.any(String), expect.any(String)] }]);
  });

  it('gives each target and the months their trends (Theil–Sen per month), and draws them on its landscape page', async () => {
    const report = (await get('from=2025-11&environment=staging')).json();
    const search = report.target_trends[0];
    expect(search).toMatchObject({ target: 'search', lowest_availability_percent: 54.167, availability_trend_per_month: -4.167, worst_p95_ms: 2100, p95_trend_ms_per_month: 100 });
    expect(search.monthly[3]).toEqual({ month: '2026-02', availability_percent: 87.5, p95_ms: 1300 });
    expect(report.months.map((m: { availability_percent: number }) => m.availability_percent)).toEqual(MONTHS.map((_, i) => Math.round((100 - (100 * i) / 24) * 1000) / 1000));
    expect(report.months.map((m: { worst_p95_ms: number }) => m.worst_p95_ms)).toEqual(MONTHS.map((_, i) => 1000 + 100 * i));
    expect(report.trends).toEqual({ availability_percent_per_month: -4.167, worst_p95_ms_per_month: 100, incidents_per_month: 0, mttr_minutes_per_month: null });
    const page = (await get('from=2025-11&environment=staging&format=html&lang=en')).body;
    expect(page).toContain('@page{size:A4 landscape');
    expect(page).toContain('Worst p95 response time per month against the 5 s target (dashed)');
    // Two SVG charts after the months table: each a line through twelve points.
    const charts = page.slice(page.indexOf('<div class="charts">'));
    expect(charts.match(/<svg /g)).toHaveLength(2);
    expect(charts.match(/<circle /g)).toHaveLength(24);
    expect(page).toContain('<h2>Share within 5 s per target (%), with trends</h2>');
    expect(page).toContain('<td>search</td><td class="n">77.083</td><td class="n">11</td><td class="n">-4.167</td><td class="n">100</td>');
  });

  it('drafts an improvement plan from the data: a host to scale, a target missing the SLO, an incident without a permanent fix', async () => {
    const { plan } = (await get('from=2025-11')).json();
    expect(plan.map((p: { kind: string; subject: string }) => [p.kind, p.subject])).toEqual([
      ['scale_host', 'db-1'],
      ['meet_slo', 'portal'],
      ['fix_recurring', 'バッチ遅延'],
    ]);
    expect(plan[0].text).toBe('db-1: CPU がしきい値 80% を 1 か月で超過（最大 83%、p95 の傾向は月あたり +3 ポイント）。増強または負荷分散を検討する。');
    expect(plan[1].text_en).toBe('portal: 91.667% of probes answered within 5 s over the year; the SLO was missed in 1 month(s). Find and improve the slow paths.');
  });

  it('streams its progress month by month, then the XLSX itself, when asked for NDJSON', async () => {
    const res = await get('from=2025-11&format=xlsx&lang=en', { accept: 'application/x-ndjson' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-ndjson');
    const lines = res.body.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.slice(0, 12).map((l) => l.progress)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((done) => ({ done, total: 12, phase: 'months' })));
    const { file } = lines[12];
    expect(file.name).toBe('mimamori-annual-2025-11-production.xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(file.base64, 'base64') as unknown as ArrayBuffer);
    const targets = book.getWorksheet('Share within 5 s per target (%)')!;
    expect(targets.getRow(1).values).toEqual([undefined, 'Target', 'Year', 'Months missed', 'Availability trend (points/month)', 'p95 trend (ms/month)', ...MONTHS]);
    expect(targets.getRow(2).values).toEqual([undefined, 'portal', 91.667, 1, 0, 0, 100, 100, 100, 100, 0, 100, 100, 100, 100, 100, 100, 100]);
    const plan = book.getWorksheet('Improvement plan')!;
    expect(plan.getCell('A1').value).toBe('Item (drafted from the data, not saved)');
    expect(plan.rowCount).toBe(4);
  });

  it('refuses twelve months that run into the future, and a bad start, naming the field', async () => {
    expect((await get('from=2026-01')).json()).toMatchObject({ error: 'future_month', details: [{ field: 'from' }] });
    expect((await get('from=2026-1')).json()).toMatchObject({ error: 'invalid_month', details: [{ field: 'from' }] });
    const streamed = await get('from=2026-01&format=html', { accept: 'application/x-ndjson' });
    expect(JSON.parse(streamed.body.trim())).toMatchObject({ error: { status: 400, code: 'future_month' } });
  });

  it('is audited with its real outcome, also over NDJSON where the 200 goes out before the report is built', async () => {
    const trail = async () => {
      await rt.trail.flush();
      return (await rt.storage.query<{ object: string; result: string; status: number; detail: string }>(sql`SELECT object, result, status, detail FROM audit_log WHERE action = 'GET /api/v1/reports/annual' ORDER BY seq`)).map((r) => ({ ...JSON.parse(r.object), result: r.result, status: Number(r.status), detail: r.detail }));
    };
    const before = (await trail()).length;
    const ndjson = { accept: 'application/x-ndjson' };
    expect((await get('from=2025-11&format=csv&table=months', ndjson)).statusCode).toBe(200);
    // Found while building: refused, though the stream began with 200.
    expect((await get('from=2026-02&format=xlsx', ndjson)).statusCode).toBe(200);
    // The engine failing mid-build (the hourly CPU rollup gone): failed.
    await rt.storage.command(sql`RENAME TABLE metrics_1h TO metrics_1h_away`);
    try {
      const broken = await get('from=2025-11&format=json', ndjson);
      expect(broken.body.trim().split('\n').map((l) => JSON.parse(l)).at(-1)).toMatchObject({ error: { status: 500, code: 'internal_error' } });
    } finally {
      await rt.storage.command(sql`RENAME TABLE metrics_1h_away TO metrics_1h`);
    }
    expect((await trail()).slice(before)).toEqual([
      { report: 'annual', from: '2025-11', environment: 'production', format: 'csv', table: 'months', result: 'ok', status: 200, detail: '' },
      { report: 'annual', from: '2026-02', environment: 'production', format: 'xlsx', result: 'refused', status: 400, detail: 'future_month' },
      { report: 'annual', from: '2025-11', environment: 'production', format: 'json', result: 'failed', status: 500, detail: 'internal_error' },
    ]);
  });
});

describe('Theil–Sen trend', () => {
  it('follows the steady climb and ignores a single odd month', () => {
    const climb = [0, 1, 2, 3, 4, 5, 6].map((x) => [x, 50 + 3 * x] as const);
    expect(theilSen(climb)).toBe(3);
    expect(theilSen(climb.map(([x, y]) => [x, x === 4 ? 99 : y] as const))).toBe(3);
  });
});
