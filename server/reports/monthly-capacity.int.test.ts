import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../../test/helpers/runtime.ts';
import { raw, sql, ts } from '../storage/sql.ts';
import { seedCpu, seedLogLines, seedProbes } from './telemetry.fixture.ts';

// The monthly report's CPU section with the capacity review's findings, its
// log-error changes, and a month whose 1-minute rollups have expired.
// Answers worked out by hand; time zone Asia/Tokyo (JST = UTC+9).
const jst = (wall: string) => Date.parse(`${wall}+09:00`);
const DAY = 86_400_000;
// October's review reads the 90 days before 1 November (JST): from 3 August.
const FROM = jst('2026-11-01T00:00') - 90 * DAY;
let rt: TestRuntime;

const YAML = `
agent: { enabled: false }
rules: []
maintenance:
  - { name: june-whole-hours, start: "2025-06-10T02:00", end: "2025-06-10T04:00", environments: [production], targets: [portal] }
  - { name: june-half-hour, start: "2025-06-11T02:30", end: "2025-06-11T03:00", environments: [production], targets: [shop] }
`;

beforeAll(async () => {
  rt = await openTestRuntime({ yaml: YAML, now: () => jst('2026-11-05T09:00') });
  for (let x = 45; x < 90; x++) {
    // db-1 climbs exactly half a point a day from 50 % on day 45: it reaches 80 % on day 105 = 16 November (JST).
    await seedCpu(rt.storage, 'db-1', FROM + x * DAY + 3 * 3_600_000, 10, 50 + 0.5 * (x - 45));
    await seedCpu(rt.storage, 'flat-1', FROM + x * DAY + 3 * 3_600_000, 10, 40);
  }
  // Log lines: api up 30 → from 10, portal new (5), batch fell silent (8 → 0), auth down 12 → 4.
  await seedLogLines(rt.storage, 'api', 'error', jst('2026-10-03T09:00'), 30, 'failed');
  await seedLogLines(rt.storage, 'api', 'error', jst('2026-09-03T09:00'), 10, 'failed');
  await seedLogLines(rt.storage, 'portal', 'warn', jst('2026-10-04T09:00'), 5, 'failed');
  await seedLogLines(rt.storage, 'batch', 'error', jst('2026-09-05T09:00'), 8, 'failed');
  await seedLogLines(rt.storage, 'auth', 'error', jst('2026-09-06T09:00'), 12, 'failed');
  await seedLogLines(rt.storage, 'auth', 'error', jst('2026-10-06T09:00'), 4, 'failed');

  // June 2025, seventeen months back: portal 00:00–02:00 up, 02:00–04:00 down (maintenance), 04:00–06:00 up;
  // shop 02:00–02:30 up, 02:30–03:00 down (maintenance, half an hour); web-old one hour at 50 %, one at 90 %.
  await seedProbes(rt.storage, 'portal', jst('2025-06-10T00:00'), 120, true);
  await seedProbes(rt.storage, 'portal', jst('2025-06-10T02:00'), 120, false);
  await seedProbes(rt.storage, 'portal', jst('2025-06-10T04:00'), 120, true);
  await seedProbes(rt.storage, 'shop', jst('2025-06-11T02:00'), 30, true);
  await seedProbes(rt.storage, 'shop', jst('2025-06-11T02:30'), 30, false);
  await seedCpu(rt.storage, 'web-old', jst('2025-06-10T10:00'), 60, 50);
  await seedCpu(rt.storage, 'web-old', jst('2025-06-10T11:00'), 60, 90);
  // What the TTL of retention.metrics / retention.probes (400 days) leaves: the hourly rollups only.
  for (const table of ['metrics_1m', 'probes_1m']) await rt.storage.command(sql`ALTER TABLE ${raw(table)} DELETE WHERE time < ${ts(jst('2025-07-01T00:00'))} SETTINGS mutations_sync = 2`);

  // db-1's proposal, written and proposed to the foundation.
  const created = await rt.app.inject({ method: 'POST', url: '/api/v1/reports/texts', headers: rt.admin, payload: { kind: 'capacity_proposal', environment: 'production', subject: 'db-1', text_ja: '増強を提案', text_en: 'Scale it' } });
  expect(created.statusCode, created.body).toBe(201);
  const { id, version } = created.json();
  expect((await rt.app.inject({ method: 'POST', url: `/api/v1/reports/texts/${id}/final`, headers: rt.admin, payload: { base_version: version } })).statusCode).toBe(200);
}, 120_000);
afterAll(async () => rt?.close());

const get = async (query: string) => {
  const res = await rt.app.inject({ headers: rt.admin, url: `/api/v1/reports/monthly?${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return res;
};

describe('the monthly report’s CPU section carries the capacity review', () => {
  it('per host: threshold, over or not, the forecast crossing with its range or why there is none, and the proposal’s state', async () => {
    const report = (await get('month=2026-10')).json();
    expect(report.capacity_review).toEqual({ from: new Date(FROM).toISOString(), to: new Date(jst('2026-11-01T00:00')).toISOString(), horizon_days: 90 });
    const by = (host: string) => report.hosts.find((h: { host: string }) => h.host === host);
    const crossing = new Date(jst('2026-11-16T00:00')).toISOString();
    expect(by('db-1')).toMatchObject({ threshold_percent: 80, over_threshold: false, forecast: 'crosses', forecast_window_days: 90, crosses_at: crossing, crosses_earliest: crossing, crosses_latest: crossing, proposal_needed: true, proposal_status: 'proposed' });
    expect(by('flat-1')).toMatchObject({ threshold_percent: 80, mean_percent: 40, p95_percent: 40, over_threshold: false, forecast: 'not_rising', crosses_at: null, proposal_needed: false, proposal_status: null });
    expect(report.cpu_grain).toBe('minute');
  });

  it('ranks log errors by their change against the month before, down to services that fell silent', async () => {
    const report = (await get('month=2026-10')).json();
    expect(report.log_errors.map((r: { service: string; lines: number }) => [r.service, r.lines])).toEqual([['api', 30], ['portal', 5], ['auth', 4]]);
    expect(report.log_changes).toEqual([
      { direction: 'up', service: 'api', level: 'error', lines: 30, previous_month: 10, change: 20, change_percent: 200 },
      { direction: 'up', service: 'portal', level: 'warn', lines: 5, previous_month: 0, change: 5, change_percent: null },
      // Equal falls in name order.
      { direction: 'down', service: 'auth', level: 'error', lines: 4, previous_month: 12, change: -8, change_percent: -66.7 },
      { direction: 'down', service: 'batch', level: 'error', lines: 0, previous_month: 8, change: -8, change_percent: -100 },
    ]);
  });

  it('in XLSX, CSV and the printable page, in words', async () => {
    const xlsx = await get('month=2026-10&format=xlsx&lang=en');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const hosts = book.getWorksheet('CPU use and the capacity review')!;
    expect(hosts.getRow(1).values).toEqual([undefined, 'Host', 'Threshold (%)', 'Mean (%)', 'p95 (%)', 'Peak (%)', 'Time above threshold (%)', 'Over', 'Trend', 'Crosses', 'Range (95 %)', 'Proposal']);
    const db = hosts.getRow(2);
    expect(db.getCell(1).value).toBe('db-1');
    expect(db.getCell(7).value).toBe('no');
    expect(db.getCell(8).value).toBe('rising (90 days)');
    expect((db.getCell(9).value as Date).toISOString()).toBe('2026-11-16T00:00:00.000Z');
    expect(db.getCell(10).value).toBe('2026-11-16 – 2026-11-16');
    expect(db.getCell(11).value).toBe('proposed to the foundation');
    expect(hosts.getRow(3).getCell(8).value).toBe('no rising trend (30 days)');
    expect(hosts.getRow(3).getCell(11).value).toBe('not needed');
    const changes = book.getWorksheet('Log error changes vs last month')!;
    expect(changes.getRow(1).values).toEqual([undefined, 'Direction', 'Service', 'Level', 'Previous month', 'This month', 'Change', 'Change (%)']);
    expect(changes.getRow(5).values).toEqual([undefined, 'decrease', 'batch', 'error', 8, 0, -8, -100]);
    const csv = (await get('month=2026-10&format=csv&table=hosts')).rawPayload.toString('utf8');
    expect(csv).toContain('db-1,80,');
    expect(csv).toContain('上昇（90日）,2026-11-16 00:00,2026-11-16 – 2026-11-16,財団へ提案済み');
    const page = (await get('month=2026-10&format=html')).body;
    expect(page).toContain('ログのエラー増減（前月比）');
    expect(page).toContain('<td>上昇傾向なし（30日）</td>');
  });
});

describe('a month older than the 1-minute rollups’ retention', () => {
  it('reads hosts and the maintenance minutes from the hourly rollups, and says plainly what it cannot give', async () => {
    const report = (await get('month=2025-06')).json();
    expect(report.cpu_grain).toBe('hour');
    // Hourly means 50 and 90: one of the two hours over 80 %.
    expect(report.hosts).toMatchObject([{ host: 'web-old', threshold_percent: 80, mean_percent: 70, p95_percent: 90, peak_percent: 90, minutes: 120, above_threshold_percent: 50, over_threshold: true, forecast: 'not_enough_data' }]);
    const by = (target: string) => report.targets.find((t: { target: string }) => t.target === target);
    // portal: 240 of 360 up; outside its whole-hour window 240 of 240.
    expect(by('portal')).toMatchObject({ probes: 360, ok: 240, availability_percent: 66.667, availability_excluding_maintenance_percent: 100, maintenance_minutes: 120 });
    // shop: 30 of 60 up; its half-hour window cannot be cut out of hourly buckets.
    expect(by('shop')).toMatchObject({ probes: 60, ok: 30, availability_percent: 50, availability_excluding_maintenance_percent: null, maintenance_minutes: 30 });
    expect(report.notes.map((n: { code: string }) => n.code)).toEqual(['error_budget_counts_maintenance', 'maintenance_from_hourly', 'maintenance_unavailable', 'cpu_from_hourly']);
    const page = (await get('month=2025-06&format=html&lang=en')).body;
    expect(page).toContain('the availability excluding maintenance cannot be given (left blank)');
    expect(page).toContain('CPU comes from the hourly rollup');
  });
});
