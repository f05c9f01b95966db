import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerWithConfig, type ServerProcess } from '../helpers/server-process.ts';
import { createSignedInUser } from '../helpers/accounts.ts';
import { openWatchedPage, signInThrough, violations } from '../helpers/browser.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of the API under test
type Json = any;
const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts');
const OPERATOR = { id: 'hayashi', initial: 'Q8#lantern-Moss-2', chosen: 'Tw1light&Cedar-77' };
const TZ = 'Asia/Tokyo';

/** `YYYY-MM-DDTHH:mm` in Tokyo, as a datetime-local input takes it. */
const local = (ms: number) => new Intl.DateTimeFormat('sv-SE', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms).replace(' ', 'T');

/**
 * Declaring, changing and deleting maintenance from the dashboard in
 * Debian's Chromium at 1366×768 against a real server: the form starts on
 * the environment in view, a double click makes one window (the wall shows
 * one banner), success is said and the form emptied, and a window made here
 * can be changed and deleted here.
 */
describe('maintenance windows in a real browser', () => {
  let server: ServerProcess;
  let context: BrowserContext;
  let page: Page;
  const windows = async (): Promise<Json[]> => (await server.get('/api/v1/maintenance')).windows;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServerWithConfig(`environments: [production, staging]\nagent: { enabled: false }\ntimezone: ${TZ}\n`);
    await createSignedInUser(server.url, server.adminKey, { id: OPERATOR.id, role: 'operator', name: '林 次郎', initial: OPERATOR.initial, chosen: OPERATOR.chosen });
    ({ context, page } = await openWatchedPage({ width: 1366, height: 768 }));
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  const form = () => page.locator('[data-testid="maintenance-form"]');
  const notice = () => page.locator('[data-testid="maintenance-notice"]');

  it('declares one window however often the button is pressed, says so and empties the form', async () => {
    await signInThrough(page, server.url, '/maintenance-windows?environment=staging', OPERATOR, '計画メンテナンス');
    expect(await form().locator('select[name="environment"]').inputValue()).toBe('staging'); // the environment in view, not blank
    await form().locator('input[name="name"]').fill('検索サーバー入れ替え');
    await form().locator('input[name="start"]').fill(local(Date.now() - 60_000));
    await form().locator('input[name="end"]').fill(local(Date.now() + 2 * 3_600_000));
    await form().locator('input[name="ja"]').fill('検索機能を停止しています');
    await form().locator('button[type="submit"]').dblclick();
    await notice().waitFor();
    expect(await notice().innerText()).toBe('「検索サーバー入れ替え」を登録しました。');
    expect(await form().locator('input[name="name"]').inputValue()).toBe('');
    expect(await form().locator('select[name="environment"]').inputValue()).toBe('staging');
    expect((await windows()).filter((w) => w.name === '検索サーバー入れ替え')).toHaveLength(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'maintenance-1366x768.png'), fullPage: true });
    // The wall shows it once.
    const wall = await context.newPage();
    await wall.goto(`${server.url}/wall?environment=staging`);
    await wall.locator('[data-testid="maintenance-banner"]').first().waitFor();
    expect(await wall.locator('[data-testid="maintenance-banner"]').count()).toBe(1);
    expect(await wall.locator('[data-testid="maintenance-banner"]').innerText()).toContain('検索機能を停止しています');
    await wall.close();
  });

  it('changes the window it made, and refuses an end before the start in words', async () => {
    const row = page.locator('[data-window="検索サーバー入れ替え"]');
    await row.locator('[data-testid="edit"]').click();
    expect(await form().locator('h2').innerText()).toBe('「検索サーバー入れ替え」を変更');
    expect(await form().locator('input[name="ja"]').inputValue()).toBe('検索機能を停止しています');
    await form().locator('input[name="end"]').fill(local(Date.now() - 2 * 3_600_000));
    await form().locator('button[type="submit"]').click();
    await form().locator('[data-testid="problems"]').waitFor();
    expect(await form().locator('[data-testid="problems"]').innerText()).toBe('終了は開始より後にしてください');
    const newEnd = Date.now() + 3 * 3_600_000;
    await form().locator('input[name="end"]').fill(local(newEnd));
    await form().locator('button[type="submit"]').click();
    await notice().waitFor();
    expect(await notice().innerText()).toBe('「検索サーバー入れ替え」を変更しました。');
    const [changed] = (await windows()).filter((w) => w.name === '検索サーバー入れ替え');
    expect(Math.abs(Date.parse(changed.end) - newEnd)).toBeLessThan(60_000);
    expect(changed.updated_by).toBe(changed.created_by); // the same person, recorded again as who changed it
    // The list reloads after the notice is shown: wait for the row, not a fixed moment.
    await expect.poll(() => row.innerText(), { timeout: 10_000 }).toContain(local(newEnd).replace('T', ' '));
  });

  it('deletes it after asking once', async () => {
    const row = page.locator('[data-window="検索サーバー入れ替え"]');
    await row.locator('[data-testid="delete"]').click();
    expect(await row.innerText()).toContain('このメンテナンスを削除しますか？');
    await row.locator('[data-testid="confirm-delete"]').click();
    await notice().waitFor();
    expect(await notice().innerText()).toBe('「検索サーバー入れ替え」を削除しました。');
    // The notice comes first, the list reloads after it.
    await expect.poll(() => page.locator('[data-window="検索サーバー入れ替え"]').count()).toBe(0);
    expect((await windows()).filter((w) => w.name === '検索サーバー入れ替え')).toHaveLength(0);
    expect(await violations(page)).toEqual([]);
  });
});
