import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { openTestRuntime, type TestRuntime } from '../../test/helpers/runtime.ts';
import { sql } from '../storage/sql.ts';
import { ReleaseBook } from './book.ts';

// k6 results in the shapes k6's documentation gives: `--summary-export`
// (a threshold `false` means it was NOT crossed: passed) and the data object
// `handleSummary` receives (thresholds as `{ ok }`, checks as a list).
const summaryExport = {
  root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: [], checks: { 'status is 200': { name: 'status is 200', path: '::status is 200', id: 'a', passes: 1000, fails: 0 } } },
  metrics: {
    http_req_duration: { avg: 180.5, min: 40, med: 150, max: 2100, 'p(90)': 320, 'p(95)': 410, 'p(99)': 900, thresholds: { 'p(95)<5000': false } },
    http_req_failed: { passes: 2, fails: 998, value: 0.002, thresholds: { 'rate<0.01': false } },
    http_reqs: { count: 1000, rate: 16.7 },
    iterations: { count: 1000, rate: 16.7 },
    vus_max: { value: 20, min: 20, max: 20 },
    checks: { passes: 1000, fails: 0, value: 1 },
  },
};
const handleSummaryData = {
  state: { testRunDurationMs: 60_000, isStdOutTTY: false, isStdErrTTY: false },
  options: { summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'], summaryTimeUnit: '', noColor: false },
  root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: [], checks: [{ name: 'status is 200', path: '::status is 200', id: 'a', passes: 960, fails: 40 }] },
  metrics: {
    http_req_duration: { type: 'trend', contains: 'time', values: { avg: 2900, min: 60, med: 2500, max: 9100, 'p(90)': 5200, 'p(95)': 6100, 'p(99)': 8800 }, thresholds: { 'p(95)<5000': { ok: false } } },
    http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0.04, passes: 40, fails: 960 }, thresholds: { 'rate<0.01': { ok: false } } },
    http_reqs: { type: 'counter', contains: 'default', values: { count: 1000, rate: 16.7 } },
    iterations: { type: 'counter', contains: 'default', values: { count: 1000, rate: 16.7 } },
    vus_max: { type: 'gauge', contains: 'default', values: { value: 20, min: 20, max: 20 } },
    checks: { type: 'rate', contains: 'default', values: { rate: 0.96, passes: 960, fails: 40 } },
  },
};

let rt: TestRuntime;
const as: Record<string, { authorization: string }> = {};
beforeAll(async () => {
  rt = await openTestRuntime({ yaml: 'agent: { enabled: false }\nrules: []\n', now: () => Date.parse('2026-11-30T03:00:00Z') });
  for (const [id, role] of [['op1', 'operator'], ['appr', 'approver'], ['view', 'viewer']] as const) {
    await rt.accounts.accounts.create(id, { displayName: id }, role, 'V!olet-Harb0ur-91', { name: 'test', role: 'admin' }, { lang: 'en', mustChangePassword: false });
    as[id] = { authorization: `Bearer ${(await rt.accounts.tokens.create('personal', id, id, role, 'test')).token}` };
  }
  as.ci = rt.auth;
}, 60_000);
afterAll(async () => rt?.close());

const call = (who: string, method: 'GET' | 'POST', url: string, payload?: object | string | Buffer, headers: Record<string, string> = {}) =>
  rt.app.inject({ method, url, headers: { ...as[who], ...headers }, payload });
const upload = (who: string, query: string, body: object | string | Buffer, headers: Record<string, string> = {}) =>
  call(who, 'POST', `/api/v1/loadtests${query}`, typeof body === 'object' && !Buffer.isBuffer(body) ? JSON.stringify(body) : body, { 'content-type': 'application/json', ...headers });
const runsStored = async () => Number((await rt.storage.query<{ n: number }>(sql`SELECT count() AS n FROM loadtest_runs`))[0]!.n);

describe('releases and their test-result reports (items 10, 11)', () => {
  const ids: Record<string, string> = {};

  it('records releases per environment, who and when; a viewer cannot, and a version is recorded once', async () => {
    const first = await call('op1', 'POST', '/api/v1/releases', { environment: 'production', version: '2.3.0', summary: '検索の改善', released_at: '2026-11-10T01:00:00Z' });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ version: '2.3.0', created_by: 'op1', released_at: '2026-11-10T01:00:00.000Z', runs: [], decision: null });
    ids.first = first.json().id;
    ids.second = (await call('op1', 'POST', '/api/v1/releases', { environment: 'production', version: '2.4.0', summary: 'お知らせ機能', link: 'https://example.jp/notes/2.4.0', released_at: '2026-11-20T01:00:00Z' })).json().id;
    // A hotfix between them that never gets a run: the comparison looks past it.
    ids.hotfix = (await call('op1', 'POST', '/api/v1/releases', { environment: 'production', version: '2.3.1', summary: '緊急修正', released_at: '2026-11-15T01:00:00Z' })).json().id;
    ids.staging = (await call('op1', 'POST', '/api/v1/releases', { environment: 'staging', version: '2.4.0-rc1', summary: '検証', released_at: '2026-11-18T01:00:00Z' })).json().id;
    expect((await call('view', 'POST', '/api/v1/releases', { environment: 'production', version: '9', summary: 'x' })).statusCode).toBe(403);
    expect((await call('op1', 'POST', '/api/v1/releases', { environment: 'production', version: '2.4.0', summary: 'again' })).json()).toMatchObject({ error: 'version_exists', details: [{ field: 'version' }] });
    expect((await call('op1', 'POST', '/api/v1/releases', { environment: 'nowhere', version: '1', summary: 'x' })).json()).toMatchObject({ error: 'unknown_environment' });
  });

  it('judges a --summary-export run against the criteria, reading k6’s inverted threshold values', async () => {
    const res = await upload('op1', `?release=${ids.first}`, summaryExport);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      release: ids.first,
      verdict: 'pass',
      criteria: [{ name: 'p95_ms', value: 410, limit: 5000, verdict: 'pass' }, { name: 'error_rate_percent', value: 0.2, limit: 1, verdict: 'pass' }, { name: 'checks_percent', value: 100, limit: 99, verdict: 'pass' }],
    });
    expect(res.json().thresholds).toEqual(expect.arrayContaining([{ metric: 'http_req_duration', expression: 'p(95)<5000', ok: true, verdict: 'pass' }, { metric: 'http_req_failed', expression: 'rate<0.01', ok: true, verdict: 'pass' }]));
  });

  it('judges a handleSummary run (gzip, from CI with an ingest token), attaches it, and flags the regression against the previous release', async () => {
    expect((await upload('ci', `?release=${ids.second}`, handleSummaryData)).statusCode).toBe(403);
    const res = await upload('ci', '?environment=production&name=ci.json.gz', gzipSync(JSON.stringify(handleSummaryData)), { 'content-encoding': 'gzip' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ release: null, verdict: 'fail', criteria: [{ name: 'p95_ms', value: 6100, verdict: 'fail' }, { name: 'error_rate_percent', value: 4, verdict: 'fail' }, { name: 'checks_percent', value: 96, verdict: 'fail' }] });
    expect((await call('view', 'GET', '/api/v1/loadtests')).json().runs.map((r: { id: string; uploaded_by: string }) => [r.id, r.uploaded_by])).toEqual([[res.json().id, expect.stringMatching(/^ingest:/)]]);
    const attached = await call('op1', 'POST', `/api/v1/releases/${ids.second}/runs`, { run_id: res.json().id });
    const run = attached.json().runs[0];
    // 2.3.1, released in between, has no run: the comparison is with the newest earlier release that has one.
    expect(run.compared_with).toMatchObject({ release: '2.3.0' });
    expect(run.compared_with.changes.find((c: { name: string }) => c.name === 'p95_ms')).toMatchObject({ current: 6100, previous: 410, regression: true });
    expect((await call('op1', 'POST', `/api/v1/releases/${ids.first}/runs`, { run_id: res.json().id })).json()).toMatchObject({ error: 'already_attached' });
  });

  it('refuses malformed files with 400 naming the problem, and stores nothing of them', async () => {
    const before = await runsStored();
    for (const bad of ['not json at all', JSON.stringify({ metrics: { http_req_duration: { avg: 'slow' } } }), JSON.stringify({ metrics: { http_req_duration: { avg: 1, thresholds: { 'p(95)<5000': 'maybe' } } } }), '{"type":"Point","metric":"http_req_duration","data":{"time":"2026-11-30T00:00:00Z","value":1}}\n{oops\n']) {
      const res = await upload('op1', '?environment=production', bad);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_k6_result' });
      expect(res.json().message.length).toBeGreaterThan(5);
    }
    expect(await runsStored()).toBe(before);
  });

  it('keeps runs to their environment: refuses attaching across environments and an upload that does not say its environment', async () => {
    const before = await runsStored();
    const staging = await upload('op1', '?environment=staging&name=staging.json', summaryExport);
    expect(staging.statusCode).toBe(201);
    const across = await call('op1', 'POST', `/api/v1/releases/${ids.second}/runs`, { run_id: staging.json().id });
    expect(across.statusCode).toBe(409);
    expect(across.json()).toMatchObject({ error: 'environment_mismatch', details: [{ field: 'run_id' }] });
    expect(across.json().message).toMatch(/staging.*production/);
    // Attached in its own environment, it is fine.
    expect((await call('op1', 'POST', `/api/v1/releases/${ids.staging}/runs`, { run_id: staging.json().id })).statusCode).toBe(200);
    const named = await upload('op1', `?release=${ids.second}&environment=staging`, summaryExport);
    expect(named.statusCode).toBe(409);
    expect(named.json()).toMatchObject({ error: 'environment_mismatch', details: [{ field: 'environment' }] });
    expect(named.json().message).toMatch(/staging.*production/);
    const unnamed = await upload('op1', '', summaryExport);
    expect(unnamed.statusCode).toBe(400);
    expect(unnamed.json()).toMatchObject({ error: 'environment_required', details: [{ field: 'environment' }] });
    expect(await runsStored()).toBe(before + 1);
  });

  it('writes the detected format of each run to loadtest_runs.format', async () => {
    const rows = await rt.storage.query<{ format: string; run: string }>(sql`SELECT format, run FROM loadtest_runs`);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.format).toBe((JSON.parse(row.run) as { format: string }).format);
    expect(new Set(rows.map((r) => r.format))).toEqual(new Set(['summary-export', 'handle-summary']));
  });

  it('takes go/no-go from an approver only, always with a comment; decisions are kept and audited', async () => {
    expect((await call('op1', 'POST', `/api/v1/releases/${ids.second}/decision`, { decision: 'go', comment: '' })).statusCode).toBe(403);
    for (const decision of ['go', 'no_go', 'go_with_conditions']) {
      const bare = await call('appr', 'POST', `/api/v1/releases/${ids.second}/decision`, { decision, comment: '  ' });
      expect(bare.statusCode, decision).toBe(400);
      expect(bare.json()).toMatchObject({ error: 'comment_required', details: [{ field: 'comment' }] });
    }
    await call('appr', 'POST', `/api/v1/releases/${ids.second}/decision`, { decision: 'no_go', comment: 'p95 が 5 秒を超えた' });
    const go = await call('appr', 'POST', `/api/v1/releases/${ids.second}/decision`, { decision: 'go_with_conditions', comment: '夜間に限り実施' });
    expect(go.json().decision).toMatchObject({ decision: 'go_with_conditions', by: 'appr' });
    expect(go.json().decisions.map((d: { decision: string }) => d.decision)).toEqual(['no_go', 'go_with_conditions']);
    await rt.trail.flush();
    const trail = await rt.storage.query<{ actor: string; action: string }>(sql`SELECT actor, action FROM audit_log WHERE action LIKE '%releases%' AND result = 'ok' ORDER BY seq`);
    expect(trail.filter((t) => t.action.endsWith('/decision')).map((t) => t.actor)).toEqual(['appr', 'appr']);
    // The state comes back the same from ClickHouse after a restart.
    const reopened = await ReleaseBook.open(rt.storage, () => 0);
    expect(reopened.get(ids.second!).decisions.map((d) => d.decision)).toEqual(['no_go', 'go_with_conditions']);
    expect(reopened.get(ids.second!).runs).toHaveLength(1);
  });

  it('issues the test-result report as a printable page and XLSX, and lists the month’s releases in the monthly report', async () => {
    const page = (await call('view', 'GET', `/api/v1/releases/${ids.second}/report?format=html&lang=en`)).body;
    expect(page).toContain('Test-result report 2.4.0 — production');
    expect(page).toMatch(/p95 response time \(ms\)<\/td><td>6100<\/td><td>5000<\/td><td>fail<\/td>/);
    // The regression is marked in its row and repeated on a red band under the comparison; the figures within the margin are not.
    expect(page).toMatch(/<td>p95 response time \(ms\)<\/td><td>6100<\/td><td>410<\/td><td>1387\.8<\/td><td>▲ regression<\/td>/);
    const band = /<div class="regressions" style="([^"]*)">(.*?)<\/div>/.exec(page);
    expect(band?.[1]).toMatch(/background:#fde2e1/);
    expect(band?.[2]).toContain('▲ Regressions');
    expect(band?.[2]).toContain('p95 response time (ms) 410 → 6100 (+1387.8 %), previous 2.3.0');
    expect(band?.[2]).not.toContain('Requests per second');
    expect((await call('view', 'GET', `/api/v1/releases/${ids.second}/report?format=html`)).body).toContain('▲ 劣化あり');
    const xlsx = await call('view', 'GET', `/api/v1/releases/${ids.second}/report?format=xlsx`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(book.worksheets.map((w) => w.name)).toEqual(['概要', '試験結果の判定', 'k6 のしきい値', 'チェック', '前回リリースとの比較', '実施判断の記録']);
    const comparison = book.getWorksheet('前回リリースとの比較')!;
    const filled = (row: number) => (comparison.getRow(row).getCell(1).fill as { fgColor?: { argb?: string } } | undefined)?.fgColor?.argb ?? null;
    const marks = [2, 3, 4].map((r) => [comparison.getRow(r).getCell(7).value, filled(r)]);
    expect(marks).toEqual([['▲ 劣化', 'FFFDE2E1'], ['▲ 劣化', 'FFFDE2E1'], ['なし', null]]);
    const monthly = (await call('view', 'GET', '/api/v1/reports/monthly?month=2026-11&environment=production')).json();
    expect(monthly.releases).toEqual([
      expect.objectContaining({ version: '2.3.0', load_tests: 1, decision: null }),
      expect.objectContaining({ version: '2.3.1', load_tests: 0, decision: null }),
      expect.objectContaining({ version: '2.4.0', load_tests: 1, decision: 'go_with_conditions', decided_by: 'appr', decision_comment: '夜間に限り実施' }),
    ]);
  });
});
