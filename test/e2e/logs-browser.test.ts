import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerWithConfig, type ServerProcess } from '../helpers/server-process.ts';
import { createSignedInUser } from '../helpers/accounts.ts';
import { openWatchedPage, signInThrough, violations } from '../helpers/browser.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts');
const VIEWER = { id: 'kimura', initial: 'Q8#lantern-Moss-2', chosen: 'Tw1light&Cedar-77' };
const LINES = 586;

/**
 * The logs explorer as an operator on duty uses it, in Debian's Chromium at
 * 1366×768 against a real server holding 586 lines: column headings and
 * choices in words, "200 of 586" said and the rest one click away, a line
 * opened to its attributes, and filters carried by the address so a
 * colleague's link (or a ticket's) shows the same lines.
 */
describe('the logs page in a real browser', () => {
  let server: ServerProcess;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServerWithConfig('environments: [production, staging]\nagent: { enabled: false }\n');
    const now = Date.now();
    const rows = Array.from({ length: LINES }, (_, i) => ({
      timestamp: now - 60_000 - i * 1000,
      environment: 'production',
      host: i % 2 ? 'web-2' : 'web-1',
      service: i % 3 ? 'nginx' : 'api',
      level: i % 10 === 0 ? 'ERROR' : i % 5 === 0 ? 'warn' : 'info',
      message: i % 10 === 0 ? `upstream timed out (110) while reading response #${i}` : `GET /portal/news/${i} 200`,
      attributes: { request_id: `req-${String(i).padStart(4, '0')}`, status: i % 10 === 0 ? '504' : '200' },
    }));
    const res = await server.ingest('logs', rows);
    expect(res.status, await res.text()).toBe(200);
    await createSignedInUser(server.url, server.adminKey, { id: VIEWER.id, role: 'viewer', name: '木村 花子', initial: VIEWER.initial, chosen: VIEWER.chosen });
    ({ context, page } = await openWatchedPage({ width: 1366, height: 768 }));
    // The lines are loaded once the API counts them all (the writer loads in the background).
    for (let i = 0; i < 100 && (await server.get(`/api/v1/logs?environment=production&limit=0`)).total < LINES; i++) await new Promise((r) => setTimeout(r, 100));
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  const count = () => page.locator('[data-testid="log-count"]').innerText();
  const rowCount = () => page.locator('[data-testid="log-row"]').count();

  it('says how many of how many lines it shows, in words, and loads the rest on request', async () => {
    await signInThrough(page, server.url, '/logs?environment=production', VIEWER, 'ログ検索');
    await page.locator('[data-testid="log-row"]').first().waitFor();
    expect(await page.locator('table.logs th').allInnerTexts()).toEqual(['時刻', 'レベル', 'サービス', 'ホスト', 'メッセージ（行を押すと詳細）']);
    expect(await page.locator('input[name="host"]').getAttribute('placeholder')).toBe('ホスト名（例: web-1）');
    const levels = await page.locator('select[name="level"] option').allInnerTexts();
    expect(levels).toContain('エラー以上（error, fatal）');
    expect(levels).not.toContain('error,fatal');
    expect(await count()).toBe(`${LINES} 件中 200 件を表示（新しい順）`);
    expect(await rowCount()).toBe(200);
    // The newest line first, its level in words and its attributes at a glance.
    const first = page.locator('[data-testid="log-row"]').first();
    expect(await first.innerText()).toMatch(/エラー\s+api\s+web-1\s+upstream timed out \(110\) while reading response #0\s*status=504\s*request_id=req-0000/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'logs-1366x768.png') });
    await page.locator('[data-testid="log-more"]').click();
    await expect.poll(rowCount, { timeout: 10_000 }).toBe(400);
    await page.locator('[data-testid="log-more"]').click();
    await expect.poll(rowCount, { timeout: 10_000 }).toBe(LINES);
    expect(await count()).toBe(`${LINES} 件`);
    expect(await page.locator('[data-testid="log-more"]').count()).toBe(0);
    // Every line once: the pages neither overlap nor skip.
    const ids = await page.locator('[data-testid="log-row"] .attr').allInnerTexts();
    expect(new Set(ids.filter((a) => a.startsWith('request_id='))).size).toBe(LINES);
  });

  it('opens a line to all its fields', async () => {
    const row = page.locator('[data-testid="log-row"]').nth(3);
    await row.click();
    const detail = page.locator('[data-testid="log-detail"]');
    expect(await detail.innerText()).toMatch(/環境\s+production/);
    expect(await detail.innerText()).toMatch(/request_id\s+req-0003/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'logs-detail.png') });
    await row.click();
    expect(await detail.count()).toBe(0);
  });

  it('keeps the filters in the address, so the same link shows the same lines', async () => {
    await page.locator('input[name="host"]').fill('web-1');
    await page.locator('select[name="level"]').selectOption('error,fatal');
    await page.locator('[data-testid="log-filters"] button[type="submit"]').click();
    await expect.poll(count, { timeout: 10_000 }).toBe('59 件'); // every tenth line, all on web-1
    const url = new URL(page.url());
    expect([url.searchParams.get('host'), url.searchParams.get('level'), url.searchParams.get('environment')]).toEqual(['web-1', 'error,fatal', 'production']);
    const hosts = await page.locator('[data-testid="log-row"] td:nth-child(4)').allInnerTexts();
    expect(new Set(hosts)).toEqual(new Set(['web-1']));
    // A colleague opens the link: same filters in the form, same lines.
    const colleague = await context.newPage();
    await colleague.goto(url.toString());
    await colleague.locator('[data-testid="log-row"]').first().waitFor();
    expect(await colleague.locator('input[name="host"]').inputValue()).toBe('web-1');
    expect(await colleague.locator('select[name="level"]').inputValue()).toBe('error,fatal');
    expect(await colleague.locator('[data-testid="log-count"]').innerText()).toBe('59 件');
    // Nothing matches: say so, and how to find more.
    await colleague.locator('input[name="q"]').fill('no such text anywhere');
    await colleague.locator('[data-testid="log-filters"] button[type="submit"]').click();
    await colleague.locator('[data-testid="log-empty"]').waitFor();
    expect(await colleague.locator('[data-testid="log-empty"]').innerText()).toContain('期間を広げるか');
    await colleague.close();
    expect(await violations(page)).toEqual([]);
  });
  it('shows the learned patterns of the range and, with one chosen, only its lines', async () => {
    // The miner learns in the background, a few seconds after the lines are stored.
    for (let i = 0; i < 60; i++) {
      const { patterns } = await server.get<{ patterns: unknown[] }>(`/api/v1/patterns?environment=production&from=${Date.now() - 3_600_000}`);
      if (patterns.length >= 3) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await page.goto(`${server.url}/logs?environment=production&hours=1`);
    const panel = page.locator('[data-testid="patterns"]');
    // Patterns are learned per service: the 59 error lines are 39 of nginx's and 20 of the api's, largest first.
    const rows = panel.locator('tr', { hasText: 'upstream timed out' });
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    const error = rows.first();
    expect((await error.locator('td').allInnerTexts()).slice(0, 2)).toEqual(['error', 'nginx']);
    expect(await error.locator('td.n').innerText()).toBe('39');
    expect(await error.locator('code').innerText()).toBe('upstream timed out (<NUM>) while reading response #<NUM>');
    await error.locator('button').click();
    await expect.poll(() => page.locator('[data-testid="log-count"]').innerText(), { timeout: 10_000 }).toBe('39 件');
    expect(new URL(page.url()).searchParams.get('pattern')).toMatch(/^p[0-9a-f]{12}$/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'logs-patterns.png') });
    expect(await violations(page)).toEqual([]);
  });
});
