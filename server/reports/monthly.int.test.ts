import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../../test/helpers/runtime.ts';
import { sql, ts } from '../storage/sql.ts';
import type { Actor } from '../auth/actors.ts';
import { seedCpu, seedLogLines, seedProbes } from './telemetry.fixture.ts';

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

const REPORT = { event: 'disk full', cause: 'log rotation stopped', impact: 'portal down 90 min', interim_fix: 'freed space', permanent_fix: 'rotation monitored' };

beforeAll(async () => {
  rt = await openTestRuntime({ yaml: YAML, now: () => clock });
  // portal: every minute of 31 October (JST) = 1,440 probes. 10:00–10:09 failed (10), 12:00–12:19 answered in
  // 6 s (20 slow), 23:00–23:59 failed inside the maintenance window (60); the rest answered in 200 ms.
  const day = jst('2026-10-31T00:00');
  await seedProbes(rt.storage, 'portal', day, 600, true, 200);
  await seedProbes(rt.storage, 'portal', jst('2026-10-31T10:00'), 10, false, 30_000);
  await seedProbes(rt.storage, 'portal', jst('2026-10-31T10:10'), 110, true, 200);
  await seedProbes(rt.storage, 'portal', jst('2026-10-31T12:00'), 20, true, 6000);
  await seedProbes(rt.storage, 'portal', jst('2026-10-31T12:20'), 640, true, 200);
  await seedProbes(rt.storage, 'portal', jst('2026-10-31T23:00'), 60, false, 30_000);
  // Outside October in JST, though inside it in UTC or beside it: must not count.
  await seedProbes(rt.storage, 'portal', jst('2026-11-01T00:00'), 120, false, 30_000);
  await seedProbes(rt.storage, 'portal', jst('2026-09-30T23:00'), 60, false, 30_000);
  // api: 1,440 good answers.
  await seedProbes(rt.storage, 'api', day, 1440, true, 300);
  // search, 20 October: 900 answers in 100 ms, 80 in 1 s, 20 in 3 s: p50 in the first block (the 500th), p95 in
  // the second (950th of 901–980), p99 in the third (990th of 981–1,000).
  await seedProbes(rt.storage, 'search', jst('2026-10-20T00:00'), 900, true, 100);
  await seedProbes(rt.storage, 'search', jst('2026-10-20T15:00'), 80, true, 1000);
  await seedProbes(rt.storage, 'search', jst('2026-10-20T16:20'), 20, true, 3000);
  // November: portal up for an hour on the 2nd, after its failed 00:00–02:00 on the 1st (the window's last hour inside).
  await seedProbes(rt.storage, 'portal', jst('2026-11-02T00:00'), 60, true, 200);
  // Faro page loads of the portal's top page in October: 70 in 0.8 s, 20 in 1.5 s, 10 in 4 s: p75 1.5 s, p95 4 s.
  await rt.storage.command(sql`
    INSERT INTO rum_events (timestamp, environment, app, session_id, page_url, name, domain, attributes, duration_ms)
    SELECT ${ts(jst('2026-10-12T10:00'))} + toIntervalSecond(number), 'production', 'portal-web', 's1', 'https://example.jp/top?x=1', 'faro.performance.navigation', 'browser', map(),
      if(number < 70, 800, if(number < 90, 1500, 4000))
    FROM numbers(100)`);
  // web-1: 60 minutes at 50 %, 40 at 90 % (threshold: 80 %, the default without a cpu rule).
  await seedCpu(rt.storage, 'web-1', jst('2026-10-15T10:00'), 60, 50);
  await seedCpu(rt.storage, 'web-1', jst('2026-10-15T11:00'), 40, 90);
  // Errors: api 30 in October, 10 in September; portal 5 warnings in October.
  await seedLogLines(rt.storage, 'api', 'error', jst('2026-10-03T09:00'), 30);
  await seedLogLines(rt.storage, 'api', 'error', jst('2026-09-03T09:00'), 10);
  await seedLogLines(rt.storage, 'portal', 'warn', jst('2026-10-04T09:00'), 5);

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
  // A workaround prepared and then executed on T1: one executed in October.
  clock = jst('2026-10-10T09:20');
  await ledger.record(t1.number, 'workaround', operator, { workaround: 'wa-1', version: 1, phase: 'about_to_execute' });
  clock = jst('2026-10-10T09:25');
  await ledger.record(t1.number, 'workaround', operator, { workaround: 'wa-1', version: 1, phase: 'executed' });
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
  const release = await rt.app.inject({ method: 'POST', url: '/api/v1/releases', headers: rt.admin, payload: { environment: 'production', version: '2.3.0', summary: '検索の改善', released_at: '2026-10-20T01:00:00Z' } });
  expect(release.statusCode, release.body).toBeLessThan(300);
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

  it('the window’s November half: its first hour of 1 November (JST) is left out of November, not October', async () => {
    const report = (await get('month=2026-11')).json();
    expect(report).toMatchObject({ from: '2026-10-31T15:00:00.000Z', to: '2026-11-30T15:00:00.000Z', complete: false });
    const portal = report.targets.find((t: { target: string }) => t.target === 'portal');
    // 180 probes: 00:00–02:00 on the 1st failed (120), 00:00–01:00 on the 2nd answered (60). The window's
    // 00:00–01:00 holds 60 failed probes: outside it, 60 answers of 120.
    expect(portal).toMatchObject({ probes: 180, ok: 60, availability_percent: 33.333, availability_excluding_maintenance_percent: 50, maintenance_minutes: 60 });
    expect(report.incidents.opened).toBe(1);
  });

  it('response percentiles over answered probes, the share within 5 s and the error budget', async () => {
    const report = (await get('month=2026-10')).json();
    const portal = report.targets.find((t: { target: string }) => t.target === 'portal');
    // Answered: 1,350 at 200 ms and 20 at 6 s; the failed probes' 30 s are no response time.
    expect(portal.p50_ms).toBe(200);
    expect(portal.p95_ms).toBe(200);
    expect(portal.slow).toBe(20);
    const search = report.targets.find((t: { target: string }) => t.target === 'search');
    expect(search).toMatchObject({ probes: 1000, p50_ms: 100, p95_ms: 1000, p99_ms: 3000, slow: 0, within_target_percent: 100 });
    // Good = answered within 5 s = 1,350 of 1,440; 99 % allows 14.4 bad, 90 were bad.
    expect(portal.within_target_percent).toBe(93.75);
    expect(portal.slo_met).toBe(false);
    expect(portal.error_budget_remaining_percent).toBe(-525);
    const api = report.targets.find((t: { target: string }) => t.target === 'api');
    expect(api).toMatchObject({ p50_ms: 300, within_target_percent: 100, slo_met: true, error_budget_remaining_percent: 100 });
    expect(report.slo).toEqual({ response_target_ms: 5000, objective_percent: 99 });
  });

  it('the error budget counts failures inside maintenance, as the burn-rate alerts do, and the report says so beside it', async () => {
    const report = (await get('month=2026-10')).json();
    const portal = report.targets.find((t: { target: string }) => t.target === 'portal');
    // Without the 60 failures inside the window the 30 bad of 1,380 would leave (13.8 − 30) / 13.8 = −117.4 %; it is −525 %.
    expect(portal.error_budget_remaining_percent).toBe(-525);
    expect(report.notes).toContainEqual(expect.objectContaining({ code: 'error_budget_counts_maintenance', section: 'targets' }));
    expect((await get('month=2026-10&format=html&lang=en')).body).toContain('The error budget counts failures and slow answers inside declared maintenance too');
    expect((await get('month=2026-10&format=html')).body).toContain('エラーバジェットは SLO のバーンレート監視と同じく');
  });

  it('real-user page loads: p75 and p95 per page from Faro', async () => {
    const { rum } = (await get('month=2026-10')).json();
    expect(rum).toEqual([{ app: 'portal-web', page: 'https://example.jp/top', page_loads: 100, load_p75_ms: 1500, load_p95_ms: 4000, lcp_p75_ms: null, errors: 0 }]);
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
    expect(incidents.workarounds_executed).toBe(1);
    expect(incidents.tickets.map((t: { title: string }) => t.title)).toEqual(['ポータル停止', '問い合わせ']);
  });

  it('CPU per host against its threshold, and log errors against the month before', async () => {
    const report = (await get('month=2026-10')).json();
    expect(report.hosts).toEqual([{ host: 'web-1', threshold_percent: 80, mean_percent: 66, p95_percent: 90, peak_percent: 90, minutes: 100, above_threshold_percent: 40, over_threshold: true, forecast: 'not_enough_data', forecast_window_days: 30, crosses_at: null, crosses_earliest: null, crosses_latest: null, proposal_needed: true, proposal_status: 'drafted' }]);
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
    const sheets = ['Summary', 'Availability and response time', 'Real-user page loads', 'Incidents', 'Incident counts', 'CPU use and the capacity review', 'Top log errors this month', 'Log error changes vs last month', 'Releases and their decisions'];
    expect(book.worksheets.map((s) => s.name)).toEqual(sheets);
    for (const sheet of book.worksheets) {
      expect(sheet.views[0], sheet.name).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(sheet.getRow(1).font?.bold, sheet.name).toBe(true);
    }
    const row = (sheet: string, n: number) => book.getWorksheet(sheet)!.getRow(n).values;
    const wall = (text: string) => new Date(`${text}:00.000Z`); // a wall-clock (JST) time as Excel holds it
    expect(row('Summary', 1)).toEqual([undefined, 'Item', 'Value']);
    expect(row('Summary', 2)).toEqual([undefined, 'Month', '2026-10']);
    expect(row('Summary', 14)).toEqual([undefined, 'Workarounds executed', 1]);
    expect(row('Availability and response time', 1)).toEqual([undefined, 'Target', 'Probes', 'Availability (%)', 'Availability excl. maintenance (%)', 'Maintenance (min)', 'p50 (ms)', 'p95 (ms)', 'p99 (ms)', 'Within 5 s (%)', 'SLO met', 'Error budget left (%)']);
    expect(row('Availability and response time', 2)).toEqual([undefined, 'api', 1440, 100, 100, 0, 300, 300, 300, 100, 'yes', 100]);
    expect(row('Availability and response time', 3)).toEqual([undefined, 'portal', 1440, 95.139, 99.275, 60, 200, 200, 6000, 93.75, 'no', -525]);
    expect(row('Availability and response time', 4)).toEqual([undefined, 'search', 1000, 100, 100, 0, 100, 1000, 3000, 100, 'yes', 100]);
    expect(book.getWorksheet('Availability and response time')!.getCell('C3').numFmt).toBe('0.000');
    expect(String(book.getWorksheet('Availability and response time')!.getCell('A6').value)).toContain('The error budget counts failures');
    expect(row('Real-user page loads', 1)).toEqual([undefined, 'App', 'Page', 'Page loads', 'Load p75 (ms)', 'Load p95 (ms)', 'LCP p75 (ms)', 'Errors']);
    expect(row('Real-user page loads', 2)).toEqual([undefined, 'portal-web', 'https://example.jp/top', 100, 1500, 4000, undefined, 0]);
    expect(row('Incidents', 1)).toEqual([undefined, 'Number', 'Type', 'Severity', 'Title', 'Status', 'Opened', 'Acknowledged', 'Resolved', 'Root cause', 'Warranty']);
    // Times on the report's wall clock (JST): opened 09:00, acknowledged 09:12, resolved 10:30.
    expect(row('Incidents', 2)).toEqual([undefined, expect.any(String), 'Incident', 'Critical', 'ポータル停止', 'Closed', wall('2026-10-10T09:00'), wall('2026-10-10T09:12'), wall('2026-10-10T10:30'), 'infrastructure (servers, storage)', 'not a warranty defect']);
    expect(row('Incident counts', 1)).toEqual([undefined, 'By', 'Value', 'Count']);
    expect(row('Incident counts', 2)).toEqual([undefined, 'Severity', 'Critical', 1]);
    expect(row('CPU use and the capacity review', 1)).toEqual([undefined, 'Host', 'Threshold (%)', 'Mean (%)', 'p95 (%)', 'Peak (%)', 'Time above threshold (%)', 'Over', 'Trend', 'Crosses', 'Range (95 %)', 'Proposal']);
    expect(row('CPU use and the capacity review', 2)).toEqual([undefined, 'web-1', 80, 66, 90, 90, 40, 'yes', 'not enough data (under 14 days) (30 days)', undefined, undefined, 'drafted, not saved']);
    expect(row('Top log errors this month', 1)).toEqual([undefined, 'Service', 'Level', 'This month', 'Previous month', 'Change', 'Change (%)']);
    expect(row('Top log errors this month', 2)).toEqual([undefined, 'api', 'error', 30, 10, 20, 200]);
    expect(row('Log error changes vs last month', 1)).toEqual([undefined, 'Direction', 'Service', 'Level', 'Previous month', 'This month', 'Change', 'Change (%)']);
    expect(row('Log error changes vs last month', 2)).toEqual([undefined, 'increase', 'api', 'error', 10, 30, 20, 200]);
    expect(row('Releases and their decisions', 1)).toEqual([undefined, 'Version', 'Released', 'Summary', 'Load tests', 'Decision', 'By', 'Comment']);
    expect(row('Releases and their decisions', 2)).toEqual([undefined, '2.3.0', wall('2026-10-20T10:00'), '検索の改善', 0]);
    // Empty cells (no decision yet) read back as nothing.
    expect(book.getWorksheet('Releases and their decisions')!.getCell('E2').value).toBeNull();
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

  it('over NDJSON (the CLI): its phases as progress, the file, and the issue audited when the stream ends', async () => {
    const res = await rt.app.inject({ headers: { ...rt.admin, accept: 'application/x-ndjson' }, url: '/api/v1/reports/monthly?month=2026-10&format=html&lang=en' });
    const lines = res.body.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.slice(0, 4).map((l) => l.progress.done)).toEqual([1, 2, 3, 4]);
    expect(lines.slice(0, 4).map((l) => l.progress.phase).sort()).toEqual(['capacity review', 'page loads', 'previous month', 'targets, incidents, CPU']);
    expect(lines[4].file.name).toBe('mimamori-monthly-2026-10-production.html');
    await rt.trail.flush();
    const [last] = await rt.storage.query<{ object: string; result: string; status: number }>(sql`SELECT object, result, status FROM audit_log WHERE action = 'GET /api/v1/reports/monthly' ORDER BY seq DESC LIMIT 1`);
    expect({ ...JSON.parse(last!.object), result: last!.result, status: Number(last!.status) }).toEqual({ report: 'monthly', month: '2026-10', environment: 'production', format: 'html', result: 'ok', status: 200 });
  });
});
