import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess, startServerWithConfig, type ServerProcess } from '../helpers/server-process.ts';
import { launchBrowser } from '../helpers/browser.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts');

/**
 * A kiosk's wall when the server goes away (issue 14): after a few seconds
 * the whole screen says the connection is lost and since when, the tiles
 * are dimmed and hatched so nobody reads old colours as live, and it all
 * clears once the server is back.
 */
describe('the wall without its server', () => {
  let server: ServerProcess | undefined;
  let context: BrowserContext | undefined;
  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  it('says the connection is lost with the time of the last update, dims the tiles, and recovers', async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const first = await startServerWithConfig('environments: [production]\nagent: { enabled: false }\n');
    server = first;
    const port = Number(new URL(server.url).port);
    const call = (url: string, body: unknown, token: string) =>
      fetch(`${server!.url}${url}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    const ingestToken = fs.readFileSync(path.join(first.dataDir, 'ingest-token'), 'utf8').trim();
    expect((await call('/api/v1/ingest/probes', [{ timestamp: Date.now(), environment: 'production', target: 'portal', ok: true, status: 200, total_ms: 250 }], ingestToken)).status).toBe(200);
    const made = await call('/api/v1/tokens', { kind: 'display', name: 'lobby' }, server.adminKey);
    const { token } = (await made.json()) as { token: string };

    context = await launchBrowser();
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${server.url}/wall?token=${token}&environment=production`);
    await page.locator('[data-target="portal"][data-state="ok"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="wall"]').getAttribute('data-disconnected')).toBe('false');
    expect(await page.locator('[data-testid="wall-disconnected"]').count()).toBe(0);

    await server.stop();
    server = undefined;
    const lost = page.locator('[data-testid="wall-disconnected"]');
    await lost.waitFor({ timeout: 15_000 });
    expect(await lost.innerText()).toMatch(/接続が切れています。表示は \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} 時点のもので、\d+(秒|分)更新されていません/);
    expect(await page.locator('[data-testid="wall"]').getAttribute('data-disconnected')).toBe('true');
    // The tiles are still there to read, but visibly not live.
    // A string, so the Node-side type check needs no DOM types.
    const opacity = await page.evaluate("getComputedStyle(document.querySelector('.targets')).opacity");
    expect(Number(opacity)).toBeLessThan(0.6);
    await page.screenshot({ path: path.join(ARTIFACTS, 'wall-disconnected.png') });

    server = await startServerProcess(first.env, 60_000, port);
    await page.locator('[data-testid="wall"][data-disconnected="false"]').waitFor({ timeout: 30_000 });
    expect(await lost.count()).toBe(0);
    await page.locator('[data-testid="live"][data-live="true"]').waitFor({ timeout: 5000 });
  }, 150_000);
});
