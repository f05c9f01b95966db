import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerWithConfig, type ServerProcess } from '../helpers/server-process.ts';
import { createSignedInUser } from '../helpers/accounts.ts';
import { openWatchedPage, signInThrough, violations } from '../helpers/browser.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts');
const OPERATOR = { id: 'sato', initial: 'T4$lantern-Reed-62', chosen: 'Brisk!Cedar-7305' };
const APPROVER = { id: 'mori', initial: 'R7#harbor-Fern-31', chosen: 'Qu1et&Maple-808' };

// A k6 --summary-export of a good run: p95 410 ms, 0.2 % failed, every check passed.
const SUMMARY = {
  root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: [], checks: { 'status is 200': { name: 'status is 200', path: '::status is 200', id: 'a', passes: 1000, fails: 0 } } },
  metrics: {
    http_req_duration: { avg: 180.5, min: 40, med: 150, max: 2100, 'p(90)': 320, 'p(95)': 410, thresholds: { 'p(95)<5000': false } },
    http_req_failed: { passes: 2, fails: 998, value: 0.002, thresholds: { 'rate<0.01': false } },
    http_reqs: { count: 1000, rate: 16.7 },
    iterations: { count: 1000, rate: 16.7 },
    vus_max: { value: 20, min: 20, max: 20 },
    checks: { passes: 1000, fails: 0, value: 1 },
  },
};

/** A release as the contractor and the foundation handle it: recorded, its k6 result attached and judged, decided by the approver, marked on the charts. */
describe('releases in a real browser', () => {
  let server: ServerProcess;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServerWithConfig('agent: { enabled: false }\n');
    const now = Date.now();
    const probes = Array.from({ length: 30 }, (_, i) => ({ timestamp: now - (30 - i) * 60_000, environment: 'production', target: 'portal-top', url: 'https://portal.example.jp/', ok: true, status: 200, total_ms: 300 }));
    expect((await server.ingest('probes', probes)).status).toBe(200);
    await createSignedInUser(server.url, server.adminKey, { id: OPERATOR.id, role: 'operator', name: '佐藤 次郎', initial: OPERATOR.initial, chosen: OPERATOR.chosen });
    await createSignedInUser(server.url, server.adminKey, { id: APPROVER.id, role: 'approver', name: '森 財団', initial: APPROVER.initial, chosen: APPROVER.chosen });
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

  it('an operator records a release and attaches its k6 result; the report shows each verdict; only the approver decides; the chart marks it', async () => {
    const op = await open(OPERATOR, '/releases?environment=production', 'リリース履歴');
    await op.locator('[data-testid="new-release"] input[name="version"]').fill('2.4.0');
    await op.locator('[data-testid="new-release"] input[name="summary"]').fill('お知らせ機能の追加');
    await op.getByRole('button', { name: 'リリースを記録' }).click();
    const card = op.locator('[data-testid="release-2.4.0"]');
    await card.waitFor();
    expect(await card.locator('[data-testid="release-decision"]').innerText()).toBe('実施判断 未');
    await card.locator('[data-testid="upload-run"]').setInputFiles({ name: 'summary.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(SUMMARY)) });
    const run = card.locator('table');
    await run.waitFor();
    expect(await run.locator('caption').innerText()).toBe('summary.json · 合格');
    expect(await run.locator('tbody tr').first().locator('td').allInnerTexts()).toEqual(['p95 応答時間 (ms)', '410', '5000', '合格']);
    // An operator is offered no decision, and the server refuses one made with their session anyway.
    expect(await card.locator('[data-testid="decide"]').count()).toBe(0);
    const refused = await op.evaluate(async () => {
      const session = (await (await fetch('/api/v1/session')).json()) as { csrf_token: string };
      const { releases } = (await (await fetch('/api/v1/releases?environment=production')).json()) as { releases: { id: string }[] };
      const res = await fetch(`/api/v1/releases/${releases[0]!.id}/decision`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrf_token }, body: JSON.stringify({ decision: 'go', comment: '' }) });
      return { status: res.status, error: ((await res.json()) as { error: string }).error };
    });
    expect(refused).toEqual({ status: 403, error: 'forbidden' });
    const [report] = await Promise.all([op.context().waitForEvent('page'), card.locator('[data-testid="release-report"]').click()]);
    await report.waitForLoadState();
    expect(await report.locator('h1').innerText()).toBe('試験結果報告 2.4.0 — production');
    expect(await report.locator('table').nth(1).locator('tbody tr').allInnerTexts()).toHaveLength(3);
    expect(await violations(op)).toEqual([]);

    const appr = await open(APPROVER, '/releases?environment=production', 'リリース履歴');
    const theirs = appr.locator('[data-testid="release-2.4.0"]');
    await theirs.locator('[data-testid="decide"] select').selectOption('go');
    await theirs.getByRole('button', { name: '判断を記録' }).click();
    await expect.poll(() => theirs.locator('[data-testid="release-decision"]').getAttribute('data-decision')).toBe('go');
    expect(await theirs.locator('[data-testid="release-decision"]').innerText()).toBe('実施可');
    await appr.screenshot({ path: path.join(ARTIFACTS, 'releases.png'), fullPage: true });

    // The release is a marker on the target's chart.
    await appr.goto(`${server.url}/targets/production/portal-top`);
    await expect.poll(() => appr.locator('.chart').first().getAttribute('data-markers'), { timeout: 10_000 }).toBe('2.4.0');
    expect(await violations(appr)).toEqual([]);
  });
});
