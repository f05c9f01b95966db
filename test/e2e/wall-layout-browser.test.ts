import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerWithConfig, type ServerProcess } from '../helpers/server-process.ts';
import { launchBrowser } from '../helpers/browser.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts');
const SIZES = [{ width: 1920, height: 1080 }, { width: 1366, height: 768 }];
const COUNTS = { production: 3, staging: 30, integration: 1000 } as const;

/**
 * Measured in the page: the tallest horizontal band of the screen with
 * nothing in it (no text, tile, chart or band), and how many target tiles
 * are cut off by the bottom of the screen. A string, so the Node-side type
 * check needs no DOM types.
 */
const MEASURE = `(() => {
  const H = innerHeight;
  const spans = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.height === 0 || r.width === 0 || r.bottom <= 0 || r.top >= H) continue;
    const text = el.children.length === 0 && (el.textContent || '').trim() !== '';
    if (!text && !el.matches('[data-target], [data-host], svg, canvas, .incident, [data-environment]')) continue;
    spans.push([Math.max(0, r.top), Math.min(H, r.bottom)]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  let covered = 0, gap = 0;
  for (const [top, bottom] of spans) { if (top > covered) gap = Math.max(gap, top - covered); covered = Math.max(covered, bottom); }
  gap = Math.max(gap, H - covered);
  const cut = [...document.querySelectorAll('[data-target]')].filter((t) => t.getBoundingClientRect().bottom > H + 0.5).length;
  return { gap, height: H, cut, tiles: document.querySelectorAll('[data-target]').length };
})()`;

/**
 * The wall screen at both kiosk sizes with 3, 30 and 1,000 targets, in
 * Debian's Chromium against a real server: the tiles fill the screen (no
 * empty band taller than a tenth of it) and none is cut off.
 */
describe('the wall fills the screen at every size', () => {
  let server: ServerProcess;
  let display = '';

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServerWithConfig('environments: [production, staging, integration, dr]\nagent: { enabled: false }\n');
    const send = async (kind: 'metrics' | 'probes', rows: object[]) => {
      const res = await server.ingest(kind, rows);
      expect(res.status, await res.text()).toBe(200);
    };
    const now = Date.now();
    for (const [environment, count] of Object.entries(COUNTS)) {
      await send('probes', Array.from({ length: count }, (_, i) => ({ timestamp: now - 30_000, environment, target: `${environment.slice(0, 4)}-${String(i).padStart(4, '0')}`, ok: i % 17 !== 3, status: i % 17 === 3 ? 503 : 200, total_ms: 200 + (i % 7) * 900 })));
      await send('metrics', ['web-1', 'web-2', 'db-1'].map((host, i) => ({ timestamp: now - 30_000, environment, host, name: 'cpu_utilisation_percent', labels: { cpu: 'total' }, value: 30 + i * 25 })));
    }
    const ticket = await fetch(`${server.url}/api/v1/tickets`, { method: 'POST', headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'inquiry', title: '財団からの問い合わせ: 検索が遅い', environment: 'production', channel: 'phone' }) });
    expect(ticket.status).toBe(201);
    const made = await fetch(`${server.url}/api/v1/tokens`, { method: 'POST', headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'display', name: 'lobby' }) });
    display = ((await made.json()) as { token: string }).token;
    for (let i = 0; i < 100 && (await server.get<{ targets: unknown[] }>('/api/v1/wall?environment=integration')).targets.length < COUNTS.integration; i++) await new Promise((r) => setTimeout(r, 100));
  }, 120_000);
  afterAll(async () => server?.stop());

  for (const size of SIZES) {
    for (const [environment, count] of Object.entries(COUNTS)) {
      it(`${count} targets at ${size.width}×${size.height}: no empty band over 10 %, no tile cut off`, async () => {
        const context = await launchBrowser(size);
        try {
          const page = context.pages()[0] ?? (await context.newPage());
          await page.goto(`${server.url}/wall?token=${display}&environment=${environment}`);
          await page.locator('[data-target]').nth(count - 1).waitFor({ state: 'attached', timeout: 15_000 });
          await page.locator('[data-testid="live"][data-live="true"]').waitFor({ timeout: 15_000 });
          const m = (await page.evaluate(MEASURE)) as { gap: number; height: number; cut: number; tiles: number };
          await page.screenshot({ path: path.join(ARTIFACTS, `wall-${count}-${size.width}x${size.height}.png`) });
          expect(m.tiles).toBe(count);
          expect(m.cut, `${m.cut} tiles below the screen`).toBe(0);
          expect(m.gap / m.height, `an empty band of ${Math.round(m.gap)} px`).toBeLessThanOrEqual(0.1);
        } finally {
          await context.close();
        }
      });
    }
  }

  it('an environment with nothing yet says why, instead of an empty screen', async () => {
    const context = await launchBrowser({ width: 1366, height: 768 });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`${server.url}/wall?token=${display}&environment=dr`);
      await page.locator('[data-testid="wall-no-targets"]').waitFor({ timeout: 15_000 });
      expect(await page.locator('[data-testid="wall-no-targets"]').innerText()).toContain('mimamori.yaml の targets');
      expect(await page.locator('[data-testid="wall-no-hosts"]').innerText()).toContain('CPU が届いていません');
      await page.screenshot({ path: path.join(ARTIFACTS, 'wall-empty-1366x768.png') });
    } finally {
      await context.close();
    }
  });
});
