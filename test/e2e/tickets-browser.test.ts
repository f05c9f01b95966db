import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerWithConfig, type ServerProcess } from '../helpers/server-process.ts';
import { createSignedInUser } from '../helpers/accounts.ts';
import { LISTEN_FOR_VIOLATIONS, launchBrowser, signInThrough, violations } from '../helpers/browser.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts');
const OPERATOR = { id: 'suzuki', initial: 'Q8#lantern-Moss-2', chosen: 'Gr4nite*Heron-58' };
const VIEWER = { id: 'kato', initial: 'M1dnight-Otter#33', chosen: 'Am6er!Kestrel-29' };

/**
 * A ticket opened by hand from the Incidents page, through the built
 * dashboard in Debian's Chromium against a real server: an operator reports
 * a security incident, sees the server's refusal beside the form first, then
 * lands on the new ticket, whose report asks for the two security-only
 * fields. A viewer is not offered the form.
 */
describe('opening a ticket by hand in a real browser', () => {
  let server: ServerProcess;
  const contexts: BrowserContext[] = [];

  const openBrowser = async (): Promise<Page> => {
    const context = await launchBrowser({ width: 1400, height: 1000 });
    await context.addInitScript(LISTEN_FOR_VIOLATIONS);
    contexts.push(context);
    return context.pages()[0] ?? context.newPage();
  };
  const signInTo = (p: Page, where: string, user: typeof OPERATOR) => signInThrough(p, server.url, where, user, 'インシデント管理台帳');

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServerWithConfig('environments: [production, staging]\nagent: { enabled: false }\n');
    await createSignedInUser(server.url, server.adminKey, { id: OPERATOR.id, role: 'operator', name: '鈴木 一郎', initial: OPERATOR.initial, chosen: OPERATOR.chosen });
    await createSignedInUser(server.url, server.adminKey, { id: VIEWER.id, role: 'viewer', name: '加藤 三郎', initial: VIEWER.initial, chosen: VIEWER.chosen });
  }, 120_000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await server?.stop();
  });

  it('an operator opens a security ticket and lands on it, with the security report fields', async () => {
    const page = await openBrowser();
    await signInTo(page, '/incidents', OPERATOR);
    await page.locator('[data-testid="open-new-ticket"]').click();
    const form = page.locator('[data-testid="new-ticket"]');
    expect(await form.locator('select[name="environment"] option').allInnerTexts()).toEqual(['production', 'staging']);
    expect(await form.locator('select[name="type"] option').allInnerTexts()).toEqual(['問い合わせ', '障害', 'セキュリティ事故']);
    await form.locator('select[name="type"]').selectOption('security');
    await form.locator('select[name="environment"]').selectOption('staging');
    await form.locator('select[name="severity"]').selectOption('critical');
    await form.locator('textarea[name="description"]').fill('職員の端末から不審な通信');
    await form.locator('input[name="reported_by"]').fill('財団 情報システム課 佐藤様');
    await form.locator('select[name="channel"]').selectOption('mail');

    // Blanks pass the browser's "required" but not the server: its 400 names the field, shown beside the form.
    await form.locator('input[name="title"]').fill('   ');
    await form.locator('button[type="submit"]').click();
    const problems = page.locator('[data-testid="problems"]');
    await problems.waitFor({ timeout: 5000 });
    expect(await problems.innerText()).toContain('件名:');
    expect(await form.locator('input[name="title"]').getAttribute('aria-invalid')).toBe('true');
    expect(page.url()).toBe(`${server.url}/incidents`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'new-ticket-form.png'), fullPage: true });

    await form.locator('input[name="title"]').fill('不審な通信の報告');
    await form.locator('button[type="submit"]').click();
    await page.waitForURL((url) => /^\/incidents\/[A-Z]+-\d{4}-\d+$/.test(url.pathname), { timeout: 5000 });
    const number = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]!);
    const title = page.locator('[data-testid="ticket-title"]');
    await title.waitFor({ timeout: 5000 });
    expect(await title.innerText()).toBe(`${number}: 不審な通信の報告`);
    const text = await page.locator('main').innerText();
    for (const shown of ['staging', 'critical', '拡大防止', '再発防止']) expect(text).toContain(shown);
    // The timeline reads as words, not stored JSON.
    const opened = await page.locator('tr[data-event="opened"]').innerText();
    expect(opened).toContain('手動で起票（セキュリティ事故・重大） · 連絡者: 財団 情報システム課 佐藤様 · 受付手段: メール');
    expect(text).not.toContain('{"');

    const stored = (await (await fetch(`${server.url}/api/v1/tickets/${number}`, { headers: { authorization: `Bearer ${server.adminKey}` } })).json()) as Record<string, unknown>;
    expect(stored).toMatchObject({ type: 'security', title: '不審な通信の報告', environment: 'staging', severity: 'critical', description: '職員の端末から不審な通信', status: 'open', reportedBy: '財団 情報システム課 佐藤様', channel: 'mail' });
    expect(await page.locator('[data-testid="ticket-reported-by"]').innerText()).toBe('連絡者: 財団 情報システム課 佐藤様 (メール)');
    await page.screenshot({ path: path.join(ARTIFACTS, 'new-ticket.png'), fullPage: true });
    expect(await violations(page)).toEqual([]);
  });

  it('a viewer reads the ledger but is not offered the form', async () => {
    const page = await openBrowser();
    await signInTo(page, '/incidents', VIEWER);
    await page.locator('tr[data-ticket]').first().waitFor({ timeout: 5000 });
    expect(await page.locator('[data-testid="open-new-ticket"]').count()).toBe(0);
    expect(await page.locator('[data-testid="new-ticket"]').count()).toBe(0);
    expect(await violations(page)).toEqual([]);
  });
});
