import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerWithConfig, type ServerProcess } from '../helpers/server-process.ts';
import { createSignedInUser } from '../helpers/accounts.ts';
import { launchBrowser, signInThrough } from '../helpers/browser.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of the API under test
type Json = any;
const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts');
const ADMIN = { id: 'yamada', initial: 'V!olet-Harb0ur-91', chosen: 'Tw1light&Cedar-77' };
const VIEWER = { id: 'suzuki', initial: 'Q8#lantern-Moss-2', chosen: 'Gr4nite*Heron-58' };

/**
 * Tokens through the built dashboard in Debian's Chromium, against a real
 * server: an administrator makes a display token, a kiosk that never signed
 * in opens the wall with it (the token leaves the address bar) and shows
 * live data, nothing else; the revoked token darkens the kiosk within
 * seconds. A viewer makes and revokes personal tokens of their own only.
 */
describe('tokens in a real browser', () => {
  let server: ServerProcess;
  let adminKey = '';
  let ingestToken = '';
  const contexts: BrowserContext[] = [];
  let admin: Page;
  let kiosk: Page;
  let displayToken = '';

  const api = async (method: string, url: string, body?: unknown, token = adminKey): Promise<Response> =>
    fetch(`${server.url}${url}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const probe = async (target: string, totalMs: number) => {
    const res = await api('POST', '/api/v1/ingest/probes', [{ timestamp: Date.now(), environment: 'production', target, url: `https://${target}.example.jp/`, ok: true, status: 200, total_ms: totalMs, ttfb_ms: totalMs / 2 }], ingestToken);
    expect(res.status, await res.clone().text()).toBeLessThan(300);
  };
  /** An account made by the administrator key, its initial password already changed (as its first sign-in would). */
  const createUser = async (user: typeof ADMIN, role: string, name: string) => {
    await createSignedInUser(server.url, adminKey, { id: user.id, role, name, initial: user.initial, chosen: user.chosen });
  };
  const openBrowser = async (): Promise<Page> => {
    const context = await launchBrowser({ width: 1600, height: 1000 });
    contexts.push(context);
    return context.pages()[0] ?? context.newPage();
  };
  /** Opens /tokens signed out, signs in on the page it is sent to, and lands back on /tokens. */
  const signInToTokens = (page: Page, user: typeof ADMIN) => signInThrough(page, server.url, '/tokens', user, 'API トークン');
  const createToken = async (page: Page, fields: { kind?: string; name: string; owner?: string; role?: string }) => {
    await page.locator('[data-testid="open-create-token"]').click();
    const form = page.locator('[data-testid="create-token"]');
    if (fields.kind) await form.locator('select[name="kind"]').selectOption(fields.kind);
    await form.locator('input[name="token-name"]').fill(fields.name);
    if (fields.owner) await form.locator('select[name="owner"]').selectOption(fields.owner);
    if (fields.role) await form.locator('select[name="role"]').selectOption(fields.role);
    await form.locator('button[type="submit"]').click();
    await page.locator('[data-testid="issued"]').waitFor({ timeout: 5000 });
    return page.locator('[data-testid="issued-token"]').inputValue();
  };

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServerWithConfig('environments: [production, staging]\nagent: { enabled: false }\n');
    adminKey = server.adminKey;
    ingestToken = fs.readFileSync(path.join(server.dataDir, 'ingest-token'), 'utf8').trim();
    await createUser(ADMIN, 'admin', '山田 花子');
    await createUser(VIEWER, 'viewer', '鈴木 一郎');
    for (const target of ['portal-top', 'search']) await probe(target, 300);
  }, 120_000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await server?.stop();
  });

  it('an administrator creates a display token, shown once with the wall address to open', async () => {
    admin = await openBrowser();
    await signInToTokens(admin, ADMIN);
    expect(await admin.locator('nav').innerText()).toContain('ユーザー管理');
    displayToken = await createToken(admin, { kind: 'display', name: '3F 運用室の壁面モニター' });
    expect(displayToken).toMatch(/^mimd_/);
    expect(await admin.locator('[data-testid="wall-url"]').inputValue()).toBe(`${server.url}/wall?token=${displayToken}`);
    expect(await admin.locator('[data-testid="shown-once"]').innerText()).toContain('再表示することはできません');
    const row = admin.locator('tr[data-kind="display"]', { hasText: '3F 運用室の壁面モニター' });
    expect(await row.locator('[data-testid="status"]').innerText()).toBe('有効');
    expect(await row.innerText()).toContain(ADMIN.id);
    await admin.screenshot({ path: path.join(ARTIFACTS, 'tokens.png'), fullPage: true });

    // Once dismissed it is gone from the page, and the server never answers it again.
    await admin.locator('[data-testid="issued-done"]').click();
    await admin.locator('[data-testid="issued"]').waitFor({ state: 'detached', timeout: 5000 });
    expect(await admin.content()).not.toContain(displayToken);
    const listed = JSON.stringify(await (await api('GET', '/api/v1/tokens')).json());
    expect(listed).not.toContain(displayToken.split('_').slice(2).join('_'));
    await admin.locator('[data-testid="lang"]').click();
    expect(await admin.getByRole('heading', { name: 'API tokens' }).count()).toBe(1);
    await admin.locator('[data-testid="lang"]').click();
  });

  it('an administrator also makes an agent’s ingest token and a personal token for someone else, with a role', async () => {
    const ingest = await createToken(admin, { kind: 'ingest', name: 'agent web-1' });
    expect(ingest).toMatch(/^mimi_/);
    expect(await admin.locator('[data-testid="wall-url"]').count()).toBe(0);
    const sent = await api('POST', '/api/v1/ingest/probes', [{ timestamp: Date.now(), environment: 'staging', target: 'search', url: 'https://search.example.jp/', ok: true, status: 200, total_ms: 120 }], ingest);
    expect(sent.status).toBeLessThan(300);
    await admin.locator('[data-testid="issued-done"]').click();

    const personal = await createToken(admin, { kind: 'personal', name: '鈴木さんの集計', owner: VIEWER.id, role: 'viewer' });
    expect(personal).toMatch(/^mimp_/);
    const row = admin.locator('tr[data-kind="personal"]', { hasText: '鈴木さんの集計' });
    expect(await row.innerText()).toContain(VIEWER.id);
    expect(await row.innerText()).toContain('閲覧者');
    await admin.locator('[data-testid="issued-done"]').click();
    expect(await admin.locator('tr[data-token]').count()).toBe(3);
  });

  it('a kiosk never signed in opens the wall with it: the token leaves the address, the wall is live, nothing else opens', async () => {
    kiosk = await openBrowser();
    const landed = await kiosk.goto(`${server.url}/wall?token=${displayToken}&environment=production`);
    const door = landed!.request().redirectedFrom();
    expect(door?.url()).toContain('token=');
    expect((await door!.response())?.status()).toBe(303);
    const url = new URL(kiosk.url());
    expect(url.pathname).toBe('/wall');
    expect(url.search).toBe('?environment=production');
    expect(kiosk.url()).not.toContain('token=');

    await kiosk.locator('[data-target="portal-top"][data-state="ok"]').waitFor({ timeout: 15_000 });
    await kiosk.locator('[data-testid="live"][data-live="true"]').waitFor({ timeout: 5000 });
    expect(await kiosk.locator('[data-environment="production"]').getAttribute('data-production')).toBe('true');
    await probe('portal-top', 6000); // no reload: the stream carries it
    await kiosk.locator('[data-target="portal-top"][data-state="slow"]').waitFor({ timeout: 10_000 });
    expect(await kiosk.locator('[data-target="portal-top"]').innerText()).toContain('6.00 s');

    // The display cookie opens the wall and nothing else.
    const status = (url: string) => kiosk.evaluate((u) => fetch(u).then((r) => r.status), url);
    expect(await status('/api/v1/wall?environment=production')).toBe(200);
    expect(await status('/api/v1/logs')).toBe(401);
    expect(await status('/api/v1/tickets')).toBe(401);
    expect(await status('/api/v1/tokens')).toBe(401);
  });

  it('a revoked display token darkens the kiosk within two seconds, and the wall says what it needs', async () => {
    const row = admin.locator('tr[data-kind="display"]', { hasText: '3F 運用室の壁面モニター' });
    await row.locator('[data-testid="revoke"]').click();
    const revoked = admin.waitForResponse((r) => r.url().includes('/api/v1/tokens/') && r.request().method() === 'DELETE');
    await admin.locator('[data-testid="confirm-revoke"]').click();
    expect((await revoked).status()).toBe(204);
    const at = Date.now();
    await kiosk.locator('[data-testid="live"][data-live="false"]').waitFor({ timeout: 2500 });
    const darkAfterMs = Date.now() - at;
    expect(darkAfterMs).toBeLessThan(2500);
    await row.locator('[data-testid="status"]', { hasText: '取り消し済み' }).waitFor({ timeout: 5000 });
    // Its reconnection is refused: the wall replaces the stale tiles with what it needs, even before a reload.
    await kiosk.locator('[data-testid="wall-locked"]').waitFor({ timeout: 10_000 });

    await kiosk.reload();
    const locked = kiosk.locator('[data-testid="wall-locked"]');
    await locked.waitFor({ timeout: 10_000 });
    expect(await locked.innerText()).toContain('表示用トークン');
    expect(await locked.innerText()).toContain(`${server.url}/wall?token=`);
    expect(await kiosk.locator('[data-target]').count()).toBe(0);
    const signIn = new URL((await kiosk.locator('[data-testid="wall-sign-in"]').getAttribute('href'))!, server.url);
    expect(signIn.pathname).toBe('/login');
    expect(signIn.searchParams.get('next')).toBe('/wall?environment=production');
    await kiosk.screenshot({ path: path.join(ARTIFACTS, 'wall-locked.png') });

    // A wrong token at the door gets the server's own page, not the app.
    const wrong = await kiosk.goto(`${server.url}/wall?token=${displayToken}`);
    expect(wrong!.status()).toBe(401);
  });

  it('a viewer makes a personal token for themselves, sees only their own, and cannot make a display token', async () => {
    const others = await api('POST', '/api/v1/tokens', { kind: 'personal', name: 'yamada script', owner: ADMIN.id });
    expect(others.status).toBe(201);
    const viewer = await openBrowser();
    await signInToTokens(viewer, VIEWER);
    const nav = await viewer.locator('nav').innerText();
    expect(nav).toContain('トークン');
    expect(nav).not.toContain('ユーザー管理');
    const rows = viewer.locator('tr[data-token]');
    await rows.first().waitFor({ timeout: 5000 });
    expect(await rows.count()).toBe(1); // the one an administrator made for them; nobody else's
    expect(await rows.first().innerText()).toContain('鈴木さんの集計');

    await viewer.locator('[data-testid="open-create-token"]').click();
    const form = viewer.locator('[data-testid="create-token"]');
    expect(await form.locator('select[name="kind"]').count()).toBe(0); // personal only: no choice offered
    expect(await form.locator('select[name="owner"]').count()).toBe(0);
    expect(await form.locator('select[name="role"] option').evaluateAll((options) => options.map((o) => o.getAttribute('value')))).toEqual(['', 'viewer']);
    await viewer.locator('[data-testid="open-create-token"]').click();
    const personal = await createToken(viewer, { name: '集計スクリプト' });
    expect(personal).toMatch(/^mimp_/);
    expect(await viewer.locator('[data-testid="wall-url"]').count()).toBe(0);
    const mine = viewer.locator('tr[data-token]', { hasText: '集計スクリプト' });
    await mine.waitFor({ timeout: 5000 });
    expect(await rows.count()).toBe(2);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-kind'), tr.children[2]?.textContent]))).toEqual([['personal', VIEWER.id], ['personal', VIEWER.id]]);
    expect(await mine.innerText()).toContain('閲覧者');

    // The token reads as the viewer, and lists the viewer's own tokens only.
    expect((await api('GET', '/api/v1/tickets', undefined, personal)).status).toBe(200);
    const own = (await (await api('GET', '/api/v1/tokens', undefined, personal)).json()) as Json;
    expect(own.tokens.map((t: Json) => t.owner)).toEqual([VIEWER.id, VIEWER.id]);
    // Past the UI, the server refuses a display token to a viewer, by session and by token alike.
    const bySession = await viewer.evaluate(async () => {
      const { csrf_token } = (await (await fetch('/api/v1/session')).json()) as { csrf_token: string };
      const res = await fetch('/api/v1/tokens', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf_token }, body: JSON.stringify({ kind: 'display', name: 'my own wall' }) });
      return { status: res.status, error: ((await res.json()) as { error: string }).error };
    });
    expect(bySession).toEqual({ status: 403, error: 'forbidden' });
    expect((await api('POST', '/api/v1/tokens', { kind: 'display', name: 'my own wall' }, personal)).status).toBe(403);
    await viewer.screenshot({ path: path.join(ARTIFACTS, 'tokens-viewer.png'), fullPage: true });

    await viewer.locator('[data-testid="issued-done"]').click();
    await mine.locator('[data-testid="revoke"]').click();
    await viewer.locator('[data-testid="confirm-revoke"]').click();
    await mine.locator('[data-testid="status"]', { hasText: '取り消し済み' }).waitFor({ timeout: 5000 });
    await expect.poll(async () => (await api('GET', '/api/v1/tickets', undefined, personal)).status, { timeout: 3000 }).toBe(401);
  });
});
