import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../../test/helpers/runtime.ts';
import { sql, ts, typed } from '../storage/sql.ts';
import type { Actor } from '../auth/actors.ts';

// Known answers, worked out by hand below. Time zone Asia/Tokyo (JST = UTC+9).
const jst = (wall: string) => Date.parse(`${wall}+09:00`);
const MIN = 60_000;
let clock = jst('2026-10-01T00:00');
let rt: TestRuntime;
const operator: Actor = { name: 'sato', role: 'operator' };

const YAML = `
agent: { enabled: false }
rules: []
maintenance:
  - name: october-close
    start: "2026-10-31T23:00"
    end: "2026-11-01T01:00"
    environments: [production]
    targets: [portal]
`;

/** `minutes` probes, one a minute from `start`, all with the same answer. */
async function probes(target: string, start: number, minutes: number, ok: boolean, totalMs: number) {
  await rt.storage.command(sql`
    INSERT INTO probes (timestamp, environment, target, url, ok, status, total_ms)
    SELECT ${ts(start)} + toIntervalMinute(number), 'production', ${target}, 'https://example.jp/', ${typed(ok ? 1 : 0, 'Bool')}, ${typed(ok ? 200 : 0, 'UInt16')}, ${typed(totalMs, 'Float64')}
    FROM numbers(${typed(minutes, 'UInt32')})`);
}

async function cpu(host: string, start: number, minutes: number, percent: number) {
  await rt.storage.command(sql`
    INSERT INTO metrics (timestamp, environment, host, name, labels, value)
    SELECT ${ts(start)} + toIntervalMinute(number), 'production', ${host}, 'cpu_utilisation_percent', map('cpu', 'total'), ${typed(percent, 'Float64')}
    FROM numbers(${typed(minutes, 'UInt32')})`);
}

async function logLines(service: string, level: string, at: number, count: number) {
  await rt.storage.command(sql`
    INSERT INTO logs (timestamp, environment, host, service, level, message)
    SELECT ${ts(at)} + toIntervalSecond(number), 'production', 'web-1', ${service}, ${level}, 'something failed' FROM numbers(${typed(count, 'UInt32')})`);
}

const REPORT = { event: 'disk full', cause: 'log rotation stopped', impact: 'portal down 90 min', interim_fix: 'freed space', permanent_fix: 'rotation monitored' };

beforeAll(async () => {
  rt = await openTestRuntime({ yaml: YAML, now: () => clock });
  // portal: every minute of 31 October (JST) = 1,440 probes. 10:00–10:09 failed (10), 12:00–12:19 answered in
  // 6 s (20 slow), 23:00–23:59 failed inside the maintenance window (60); the rest answered in 200 ms.
  const day = jst('2026-10-31T00:00');
  await probes('portal', day, 600, true, 200);
  await probes('portal', jst('2026-10-31T10:00'), 10, false, 30_000);
  await probes('portal', jst('2026-10-31T10:10'), 110, true, 200);
  await probes('portal', jst('2026-10-31T12:00'), 20, true, 6000);
  await probes('portal', jst('2026-10-31T12:20'), 640, true, 200);
  await probes('portal', jst('2026-10-31T23:00'), 60, false, 30_000);
  // Outside October in JST, though inside it in UTC or beside it: must not count.
  await probes('portal', jst('2026-11-01T00:00'), 120, false, 30_000);
  await probes('portal', jst('2026-09-30T23:00'), 60, false, 30_000);
  // api: 1,440 good answers.
  await probes('api', day, 1440, true, 300);
  // web-1: 60 minutes at 50 %, 40 at 90 % (threshold: 80 %, the default without a cpu rule).
  await cpu('web-1', jst('2026-10-15T10:00'), 60, 50);
  await cpu('web-1', jst('2026-10-15T11:00'), 40, 90);
  // Errors: api 30 in October, 10 in September; portal 5 warnings in October.
  await logLines('api', 'error', jst('2026-10-03T09:00'), 30);
  await logLines('api', 'error', jst('2026-09-03T09:00'), 10);
  await logLines('portal', 'warn', jst('2026-10-04T09:00'), 5);

  const ledger = rt.alerting.ledger;
  // September's ticket, resolved in October: not opened this month, not open at its end.
  clock = jst('2026-09-28T09:00');
  const t3 = await ledger.openManual({ type: 'incident', title: '九月の件', environment: 'production', severity: 'warning' }, operator);
  clock = jst('2026-10-05T09:00');
  await ledger.setStatus(t3.number, 'resolved', operator);
  // T1: acknowledged after 12 minutes, resolved after 90, closed two days later.
  clock = jst('2026-10-10T09:00');
  const t1 = await ledger.openManual({ type: 'incident', title: 'ポータル停止', environment: 'production', severity: 'critical' }, operator);
  clock += 12 * MIN;
  await ledger.acknowledge(t1.number, operator);
  clock = jst('2026-10-10T10:30');
  await ledger.setStatus(t1.number, 'resolved', operator);
  clock = jst('2026-10-12T10:30');
  await ledger.close(t1.number, { report: REPORT, root_cause_category: 'infrastructure', warranty_defect: 'not_a_warranty_defect' }, operator);
  // T2: an inquiry acknowledged after 30 minutes, still open at the month's end.
  clock = jst('2026-10-20T09:00');
  const t2 = await ledger.openManual({ type: 'inquiry', title: '問い合わせ', environment: 'production', severity: 'warning' }, operator);
  clock += 30 * MIN;
  await ledger.acknowledge(t2.number, operator);
  // T4: half an hour into November in JST (still 31 October in UTC).
  clock = jst('2026-11-01T00:30');
  await ledger.openManual({ type: 'incident', title: '十一月の件', environment: 'production', severity: 'critical' }, operator);
  clock = jst('2026-11-05T09:00');
}, 60_000);
afterAll(async () => rt?.close());

const get = (query: string) => rt.app.inject({ headers: rt.admin, url: `/api/v1/reports/monthly?${query}` });

describe('the monthly report (item 9)', () => {
  it('availability with and without the maintenance window across midnight and the month boundary, in JST', async () => {
    const res = await get('month=2026-10&environment=production');
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report.from).toBe('2026-09-30T15:00:00.000Z');
    expect(report.to).toBe('2026-10-31T15:00:00.000Z');
    const portal = report.targets.find((t: { target: string }) => t.target === 'portal');
    expect(portal).toMatchObject({ probes: 1440, ok: 1370, availability_percent: 95.139, maintenance_minutes: 60 });
    // 1,370 answers of the 1,380 probes outside the window.
    expect(portal.availability_excluding_maintenance_percent).toBe(99.275);
    const api = report.targets.find((t: { target: string }) => t.target === 'api');
    expect(api).toMatchObject({ probes: 1440, ok: 1440, availability_percent: 100, availability_excluding_maintenance_percent: 100, maintenance_minutes: 0 });
  });

  it('response percentiles over answered probes, the share within 5 s and the error budget', async () => {
    const report = (await get('month=2026-10')).json();
    const portal = report.targets.find((t: { target: string }) => t.target === 'portal');
    // Answered: 1,350 at 200 ms and 20 at 6 s; the failed probes' 30 s are no response time.
    expect(portal.p50_ms).toBe(200);
    expect(portal.p95_ms).toBe(200);
    expect(portal.slow).toBe(20);
    // Good = answered within 5 s = 1,350 of 1,440; 99 % allows 14.4 bad, 90 were bad.
    expect(portal.within_target_percent).toBe(93.75);
    expect(portal.slo_met).toBe(false);
    expect(portal.error_budget_remaining_percent).toBe(-525);
    const api = report.targets.find((t: { target: string }) => t.target === 'api');
    expect(api).toMatchObject({ p50_ms: 300, within_target_percent: 100, slo_met: true, error_budget_remaining_percent: 100 });
    expect(report.slo).toEqual({ response_target_ms: 5000, objective_percent: 99 });
  });

  it('incidents: counts, MTTA, MTTR, open at month end and warranty decisions from the ledger', async () => {
    const { incidents } = (await get('month=2026-10')).json();
    expect(incidents.opened).toBe(2);
    expect(incidents.by_severity).toEqual({ critical: 1, warning: 1 });
    expect(incidents.by_type).toEqual({ incident: 1, inquiry: 1 });
    expect(incidents.by_root_cause).toEqual({ infrastructure: 1, unset: 1 });
    expect(incidents.mtta_minutes).toBe(21); // (12 + 30) / 2
    expect(incidents.mttr_minutes).toBe(90);
    expect(incidents.open_at_month_end).toBe(1);
    expect(incidents.warranty).toEqual({ not_a_warranty_defect: 1 });
    expect(incidents.tickets.map((t: { title: string }) => t.title)).toEqual(['ポータル停止', '問い合わせ']);
  });

  it('CPU per host against its threshold, and log errors against the month before', async () => {
    const report = (await get('month=2026-10')).json();
    expect(report.hosts).toEqual([{ host: 'web-1', threshold_percent: 80, mean_percent: 66, p95_percent: 90, peak_percent: 90, minutes: 100, above_threshold_percent: 40, over_threshold: true }]);
    expect(report.log_errors).toEqual([
      { service: 'api', level: 'error', lines: 30, previous_month: 10, change: 20, change_percent: 200 },
      { service: 'portal', level: 'warn', lines: 5, previous_month: 0, change: 5, change_percent: null },
    ]);
    expect(report.complete).toBe(true);
  });

  it('as XLSX: a sheet per section with frozen bold headers, read back cell by cell', async () => {
    const res = await get('month=2026-10&format=xlsx&lang=en');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="mimamori-monthly-2026-10-production.xlsx"');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect(book.worksheets.map((s) => s.name)).toEqual(['Summary', 'Availability and response time', 'Real-user page loads', 'Incidents', 'Incident counts', 'CPU use', 'Log error trends', 'Releases and their decisions']);
    const targets = book.getWorksheet('Availability and response time')!;
    expect(targets.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(targets.getRow(1).font?.bold).toBe(true);
    expect(targets.getCell('A1').value).toBe('Target');
    expect(targets.getRow(2).values).toEqual([undefined, 'api', 1440, 100, 100, 0, 300, 300, 300, 100, 'yes', 100]);
    expect(targets.getCell('C3').value).toBe(95.139);
    expect(targets.getCell('C3').numFmt).toBe('0.000');
    const incidents = book.getWorksheet('Incidents')!;
    // Times on the report's wall clock (JST): opened 09:00, acknowledged 09:12.
    expect((incidents.getCell('F2').value as Date).toISOString()).toBe('2026-10-10T09:00:00.000Z');
    expect((incidents.getCell('G2').value as Date).toISOString()).toBe('2026-10-10T09:12:00.000Z');
  });

  it('as CSV per table: UTF-8 with a byte-order mark, Japanese headers, and it round-trips', async () => {
    const res = await get('month=2026-10&format=csv&table=incidents');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect([...res.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const book = new ExcelJS.Workbook();
    const { Readable } = await import('node:stream');
    const sheet = await book.csv.read(Readable.from([res.rawPayload.subarray(3)]));
    expect(sheet.getRow(1).values).toEqual([undefined, '番号', '種別', '重要度', '件名', '状態', '起票', '受付', '解決', '根本原因', '瑕疵判定']);
    expect(sheet.getCell('D2').value).toBe('ポータル停止');
    expect(sheet.getCell('F2').value).toBe('2026-10-10 09:00');
    expect(sheet.rowCount).toBe(3);
  });

  it('as a printable page: its own style allowed, no script, texts in the chosen language', async () => {
    const res = await get('month=2026-10&format=html&lang=en');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("style-src 'unsafe-inline'");
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.body).not.toContain('<script');
    expect(res.body).toContain('<h1>Monthly report 2026-10 — production</h1>');
    expect(res.body).toContain('<td class="t">Critical</td>');
    expect(res.body).toContain('p95 response time per target against the 5 s target');
    const ja = (await get('month=2026-10&format=html')).body;
    expect(ja).toContain('<h1>月次報告 2026-10 — production</h1>');
    expect(ja).toContain('<td class="t">重大</td>');
  });

  it('says what is wrong with a request, and records who issued a report', async () => {
    expect((await get('month=2026-13')).json()).toMatchObject({ error: 'invalid_month', details: [{ field: 'month' }] });
    expect((await get('month=2027-01')).json()).toMatchObject({ error: 'future_month' });
    expect((await get('month=2026-10&environment=nowhere')).json()).toMatchObject({ error: 'unknown_environment', details: [{ field: 'environment' }] });
    const csv = await get('month=2026-10&format=csv');
    expect(csv.statusCode).toBe(400);
    expect(csv.json().message).toContain('summary, targets, rum, incidents, incident_counts, hosts, log_errors');
    expect((await rt.app.inject({ url: '/api/v1/reports/monthly?month=2026-10' })).statusCode).toBe(401);
    await rt.trail.flush();
    const trail = await rt.storage.query<{ action: string; object: string }>(sql`SELECT action, object FROM audit_log WHERE action = 'GET /api/v1/reports/monthly' AND result = 'ok' ORDER BY at`);
    expect(trail.map((r) => JSON.parse(r.object))).toContainEqual({ report: 'monthly', month: '2026-10', environment: 'production', format: 'xlsx' });
    expect(trail.map((r) => JSON.parse(r.object))).toContainEqual({ report: 'monthly', month: '2026-10', environment: 'production', format: 'csv', table: 'incidents' });
  });
});
