import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerWithConfig, type ServerProcess } from '../helpers/server-process.ts';
import { createSignedInUser } from '../helpers/accounts.ts';
import { openWatchedPage, signInThrough, violations } from '../helpers/browser.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts');
const OPERATOR = { id: 'sato', initial: 'T4$lantern-Reed-62', chosen: 'Brisk!Cedar-7305' };
const APPROVER = { id: 'mori', initial: 'R7#harbor-Fern-31', chosen: 'Qu1et&Maple-808' };

/** A k6 --summary-export: `p95` ms, `failed` the rate of failed requests, `checks` passed of 1000; k6's `true` means a threshold was crossed. */
function summaryExport(p95: number, failed: number, checks: number) {
  return {
    root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: [], checks: { 'status is 200': { name: 'status is 200', path: '::status is 200', id: 'a', passes: checks, fails: 1000 - checks } } },
    metrics: {
      http_req_duration: { avg: p95 / 2, min: 40, med: p95 / 3, max: p95 * 2, 'p(90)': p95 * 0.8, 'p(95)': p95, thresholds: { 'p(95)<5000': p95 >= 5000 } },
      http_req_failed: { passes: failed * 1000, fails: 1000 - failed * 1000, value: failed, thresholds: { 'rate<0.01': failed >= 0.01 } },
      http_reqs: { count: 1000, rate: 16.7 },
      iterations: { count: 1000, rate: 16.7 },
      vus_max: { value: 20, min: 20, max: 20 },
      checks: { passes: checks, fails: 1000 - checks, value: checks / 1000 },
    },
  };
}
// The previous release's run, this release's good run (p95 410 ms, 0.2 % failed, every check passed), and CI's failing run.
const PREVIOUS = summaryExport(200, 0.002, 1000);
const SUMMARY = summaryExport(410, 0.002, 1000);
const CI_RUN = summaryExport(6200, 0.02, 970);
const ZONE = 'Asia/Tokyo'; // the configured zone (the default)
const wallClock = (ms: number) => new Intl.DateTimeFormat('sv-SE', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(ms);
const rows = async (table: Locator) => Promise.all((await table.locator('tbody tr').all()).map((tr) => tr.locator('td').allInnerTexts()));

/** A release as the contractor and the foundation handle it: recorded, its k6 results attached and judged, decided by the approver, marked on the charts. */
describe('releases in a real browser', () => {
  let server: ServerProcess;
  const contexts: BrowserContext[] = [];
  let ciRun: string;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServerWithConfig('agent: { enabled: false }\n');
    const now = Date.now();
    const probes = Array.from({ length: 30 }, (_, i) => ({ timestamp: now - (30 - i) * 60_000, environment: 'production', target: 'portal-top', url: 'https://portal.example.jp/', ok: true, status: 200, total_ms: 300 }));
    expect((await server.ingest('probes', probes)).status).toBe(200);
    const metrics = Array.from({ length: 30 }, (_, i) => ({ timestamp: now - (30 - i) * 60_000, environment: 'production', host: 'web-1', name: 'cpu_utilisation_percent', labels: { cpu: 'total' }, value: 40 }));
    expect((await server.ingest('metrics', metrics)).status).toBe(200);
    await createSignedInUser(server.url, server.adminKey, { id: OPERATOR.id, role: 'operator', name: '佐藤 次郎', initial: OPERATOR.initial, chosen: OPERATOR.chosen });
    await createSignedInUser(server.url, server.adminKey, { id: APPROVER.id, role: 'approver', name: '森 財団', initial: APPROVER.initial, chosen: APPROVER.chosen });
    // The previous release, three days ago (off the charts' 24 hours), with its run: what this release is compared with.
    const admin = { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' };
    const previous = await fetch(`${server.url}/api/v1/releases`, { method: 'POST', headers: admin, body: JSON.stringify({ environment: 'production', version: '2.3.0', summary: '前回', released_at: new Date(now - 3 * 86_400_000).toISOString() }) });
    expect(previous.status).toBe(201);
    const { id } = (await previous.json()) as { id: string };
    expect((await fetch(`${server.url}/api/v1/loadtests?release=${id}`, { method: 'POST', headers: admin, body: JSON.stringify(PREVIOUS) })).status).toBe(201);
    // CI posts its run with the ingest token: it waits, unattached, for a person.
    const token = fs.readFileSync(path.join(server.dataDir, 'ingest-token'), 'utf8').trim();
    const ci = await fetch(`${server.url}/api/v1/loadtests?environment=production&name=ci-summary.json`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(CI_RUN) });
    expect(ci.status).toBe(201);
    ciRun = ((await ci.json()) as { id: string; release: string | null }).id;
  }, 120_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await server?.stop();
  });

  const open = async (user: { id: string; chosen: string }, where: string, heading: string): Promise<Page> => {
    const { context, page } = await openWatchedPage({ width: 1366, height: 900 });
    contexts.push(context);
    await signInThrough(page, server.url, where, user, heading);
    return page;
  };

  it('an operator records a release with its time, attaches its k6 result and the run CI left waiting; the report and the card show each verdict and the regression; only the approver decides, with a comment; the charts draw the marker', async () => {
    const releasedAt = Date.now() - 2 * 3_600_000;
    const op = await open(OPERATOR, '/releases?environment=production', 'リリース履歴');
    const form = op.locator('[data-testid="new-release"]');
    await form.locator('input[name="version"]').fill('2.4.0');
    await form.locator('input[name="summary"]').fill('お知らせ機能の追加');
    await form.locator('input[name="released_at"]').fill(wallClock(releasedAt).replace(' ', 'T'));
    await op.getByRole('button', { name: 'リリースを記録' }).click();
    const card = op.locator('[data-testid="release-2.4.0"]');
    await card.waitFor();
    // The time entered in the configured zone is the release's time.
    expect(await card.locator('h2 .muted').innerText()).toBe(`${wallClock(releasedAt)}:00 · ${OPERATOR.id}`);
    expect(await card.locator('[data-testid="release-decision"]').innerText()).toBe('実施判断 未');
    await card.locator('[data-testid="upload-run"]').setInputFiles({ name: 'summary.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(SUMMARY)) });
    const runs = card.locator('table.run');
    await runs.first().waitFor();
    expect(await runs.first().locator('caption').innerText()).toBe('summary.json · 合格');
    expect(await rows(runs.first())).toEqual([
      ['p95 応答時間 (ms)', '410', '5000', '合格'],
      ['エラー率 (%)', '0.2', '1', '合格'],
      ['チェック成功率 (%)', '100', '99', '合格'],
      ['k6 http_req_duration', 'p(95)<5000', '合格'],
      ['k6 http_req_failed', 'rate<0.01', '合格'],
    ]);
    // Against 2.3.0's run: p95 doubled, beyond the 10 % margin, and only that row is marked.
    const comparison = card.locator('[data-testid="comparison"]').first();
    expect(await comparison.locator('caption').innerText()).toBe('前回リリース 2.3.0 との比較');
    expect(await rows(comparison)).toEqual([
      ['p95 応答時間 (ms)', '200', '410', '+105 %', '劣化'],
      ['エラー率 (%)', '0.2', '0.2', '0 %', '—'],
      ['リクエスト/秒', '16.7', '16.7', '0 %', '—'],
    ]);
    expect(await comparison.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.classList.contains('regression')))).toEqual([true, false, false]);

    // The run CI posted waits on the page, judged; the operator attaches it to 2.4.0.
    const waiting = op.locator(`[data-testid="waiting-${ciRun}"]`);
    expect((await waiting.locator('td').allInnerTexts()).slice(1, 4)).toEqual(['ci-summary.json', expect.stringMatching(/^ingest:/), '不合格']);
    await waiting.getByRole('combobox', { name: '添付先' }).selectOption({ label: '2.4.0' });
    await waiting.getByRole('button', { name: '添付' }).click();
    await expect.poll(() => runs.count()).toBe(2);
    expect(await op.locator('[data-testid="waiting-runs"]').count()).toBe(0);
    expect(await runs.nth(1).locator('caption').innerText()).toBe('ci-summary.json · 不合格');
    expect(await rows(runs.nth(1))).toEqual([
      ['p95 応答時間 (ms)', '6200', '5000', '不合格'],
      ['エラー率 (%)', '2', '1', '不合格'],
      ['チェック成功率 (%)', '97', '99', '不合格'],
      ['k6 http_req_duration', 'p(95)<5000', '不合格'],
      ['k6 http_req_failed', 'rate<0.01', '不合格'],
    ]);

    // An operator is offered no decision, and the server refuses one made with their session anyway.
    expect(await card.locator('[data-testid="decide"]').count()).toBe(0);
    const refused = await op.evaluate(async () => {
      const session = (await (await fetch('/api/v1/session')).json()) as { csrf_token: string };
      const { releases } = (await (await fetch('/api/v1/releases?environment=production')).json()) as { releases: { id: string }[] };
      const res = await fetch(`/api/v1/releases/${releases[0]!.id}/decision`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrf_token }, body: JSON.stringify({ decision: 'go', comment: '問題なし' }) });
      return { status: res.status, error: ((await res.json()) as { error: string }).error };
    });
    expect(refused).toEqual({ status: 403, error: 'forbidden' });

    // The printable report: every criterion of both runs with its verdict, and k6's own thresholds.
    const [report] = await Promise.all([op.context().waitForEvent('page'), card.locator('[data-testid="release-report"]').click()]);
    await report.waitForLoadState();
    expect(await report.locator('h1').innerText()).toBe('試験結果報告 2.4.0 — production');
    const judged = await rows(report.locator('h2:has-text("試験結果の判定") + table'));
    expect(judged.map((r) => r.slice(1))).toEqual([
      ['p95 応答時間 (ms)', '410', '5000', '合格'], ['エラー率 (%)', '0.2', '1', '合格'], ['チェック成功率 (%)', '100', '99', '合格'],
      ['p95 応答時間 (ms)', '6200', '5000', '不合格'], ['エラー率 (%)', '2', '1', '不合格'], ['チェック成功率 (%)', '97', '99', '不合格'],
    ]);
    const thresholds = await rows(report.locator('h2:has-text("k6 のしきい値") + table'));
    expect(thresholds.map((r) => r.slice(1))).toEqual([
      ['http_req_duration', 'p(95)<5000', '合格'], ['http_req_failed', 'rate<0.01', '合格'],
      ['http_req_duration', 'p(95)<5000', '不合格'], ['http_req_failed', 'rate<0.01', '不合格'],
    ]);
    expect(await violations(op)).toEqual([]);

    // The approver decides, and only with a comment: the form will not send an empty one.
    const appr = await open(APPROVER, '/releases?environment=production', 'リリース履歴');
    const theirs = appr.locator('[data-testid="release-2.4.0"]');
    await theirs.locator('[data-testid="decide"] select').selectOption('go');
    await theirs.getByRole('button', { name: '判断を記録' }).click();
    expect(await theirs.locator('input[name="comment"]:invalid').count()).toBe(1);
    expect(await theirs.locator('[data-testid="release-decision"]').getAttribute('data-decision')).toBe('');
    await theirs.locator('input[name="comment"]').fill('CI の不合格は試験環境の不調のため。再試験済み');
    await theirs.getByRole('button', { name: '判断を記録' }).click();
    await expect.poll(() => theirs.locator('[data-testid="release-decision"]').getAttribute('data-decision')).toBe('go');
    expect(await theirs.locator('[data-testid="release-decision"]').innerText()).toBe('実施可');
    expect(await theirs.innerText()).toContain(`${APPROVER.id}: 実施可 — CI の不合格は試験環境の不調のため。再試験済み`);
    await appr.screenshot({ path: path.join(ARTIFACTS, 'releases.png'), fullPage: true });

    // The release is a marker drawn on the target's chart (2.3.0 is off its 24 hours).
    await appr.goto(`${server.url}/targets/production/portal-top`);
    const target = appr.locator('.chart').first();
    await expect.poll(() => target.getAttribute('data-markers-drawn'), { timeout: 10_000 }).toBe('1');
    expect(await target.getAttribute('data-markers')).toBe('2.4.0');

    // A host chart loads its markers apart from its data: held back until the chart is drawn, they are drawn when they come.
    let letThrough!: () => void;
    const held = new Promise<void>((resolve) => (letThrough = resolve));
    const isHistory = (url: URL) => url.pathname === '/api/v1/releases';
    await appr.route(isHistory, async (route) => {
      await held;
      await route.continue();
    });
    await appr.goto(`${server.url}/hosts/production/web-1`);
    const cpu = appr.locator('[data-testid="host-chart"][data-metric="cpu_utilisation_percent"] .chart');
    await cpu.locator('canvas').first().waitFor();
    await expect.poll(() => cpu.getAttribute('data-markers-drawn'), { timeout: 10_000 }).toBe('0');
    letThrough();
    await expect.poll(() => cpu.getAttribute('data-markers-drawn'), { timeout: 10_000 }).toBe('1');
    expect(await cpu.getAttribute('data-markers')).toBe('2.4.0');
    await appr.unroute(isHistory);
    expect(await violations(appr)).toEqual([]);
  });
});
