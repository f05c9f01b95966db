import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerWithConfig, type ServerProcess } from '../helpers/server-process.ts';
import { createSignedInUser } from '../helpers/accounts.ts';
import { launchBrowser } from '../helpers/browser.ts';

const ADMIN = { id: 'yamada', initial: 'V!olet-Harb0ur-91', chosen: 'Tw1light&Cedar-77' };

/**
 * Runs in every page before its own scripts: each Content-Security-Policy
 * violation the browser reports is kept on window, so the test can read
 * them after the page has drawn everything (charts, live tiles).
 */
const LISTEN_FOR_VIOLATIONS = `
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, source: e.sourceFile + ':' + e.lineNumber }), true);
`;
interface Violation { directive: string; blocked: string; sample: string; source: string }

/**
 * Every page of the built dashboard under its strict Content-Security-Policy
 * in Debian's Chromium: no inline script or style is blocked anywhere
 * (violation events and console reports both), and every document answer
 * carries the security headers. The maintenance page alone may be framed.
 */
describe('security headers and the Content-Security-Policy in a real browser', () => {
  let server: ServerProcess;
  let context: BrowserContext;
  let page: Page;
  let adminKey = '';
  let ingestToken = '';
  const consoleReports: string[] = [];

  const api = async (method: string, url: string, body: unknown, token = adminKey) => {
    const res = await fetch(`${server.url}${url}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status, `${method} ${url}: ${await res.clone().text()}`).toBeLessThan(300);
    return res;
  };
  /** The administrator's session cookie, the initial password changed as at a first sign-in. */
  const adminSession = () => createSignedInUser(server.url, adminKey, { id: ADMIN.id, role: 'admin', name: '山田 花子', initial: ADMIN.initial, chosen: ADMIN.chosen });
  /** Opens a page, waits until it has drawn `ready`, and returns its document answer's headers and the violations it reported. */
  const visit = async (url: string, ready: string) => {
    const before = consoleReports.length;
    const response = await page.goto(`${server.url}${url}`);
    expect(response, url).not.toBeNull();
    await page.locator(ready).first().waitFor({ timeout: 15_000 });
    await page.waitForTimeout(300); // let late work (a chart's resize, the stream's next frame) run too
    const violations = (await page.evaluate('window.__violations')) as Violation[];
    return { headers: response!.headers(), violations, console: consoleReports.slice(before) };
  };
  const expectStrictHeaders = (headers: Record<string, string>) => {
    const csp = headers['content-security-policy'] ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/style-src 'self'(;|$)/);
    expect(csp).not.toContain('unsafe-inline');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
  };

  beforeAll(async () => {
    server = await startServerWithConfig('environments: [production, staging]\nagent: { enabled: false }\n');
    adminKey = server.adminKey;
    ingestToken = fs.readFileSync(path.join(server.dataDir, 'ingest-token'), 'utf8').trim();
    // Data on every page, so each draws what it can: tiles with their bars, a chart, log lines, a ticket.
    const now = Date.now();
    await api('POST', '/api/v1/ingest/probes', [0, 1, 2].map((i) => ({ timestamp: now - i * 60_000, environment: 'production', target: 'portal-top', url: 'https://portal.example.jp/', ok: true, status: 200, total_ms: 300 + i * 100, ttfb_ms: 150 })), ingestToken);
    await api('POST', '/api/v1/ingest/metrics', [{ timestamp: now, environment: 'production', host: 'web-1', name: 'cpu_utilisation_percent', labels: { cpu: 'total' }, value: 42 }], ingestToken);
    await api('POST', '/api/v1/ingest/logs', [{ timestamp: now, environment: 'production', host: 'web-1', service: 'nginx', level: 'error', message: 'upstream timed out' }], ingestToken);
    await api('POST', '/api/v1/tickets', { type: 'inquiry', title: '画面が遅い', environment: 'production', channel: 'phone' });
    const cookie = await adminSession();
    context = await launchBrowser({ width: 1600, height: 1000 });
    await context.addInitScript(LISTEN_FOR_VIOLATIONS);
    page = context.pages()[0] ?? (await context.newPage());
    // Chromium reports a blocked resource or inline style on the console too.
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && consoleReports.push(m.text()));
    page.on('pageerror', (e) => consoleReports.push(e.message));
    // Signed out first, for the sign-in page; then signed in as the administrator.
    const login = await visit('/login', '[data-testid="login-form"]');
    expectStrictHeaders(login.headers);
    expect(login.violations).toEqual([]);
    await context.addCookies([{ name: 'mimamori_session', value: cookie, url: server.url, httpOnly: true, sameSite: 'Strict' }]);
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  const PAGES: [string, string][] = [
    ['/', 'h1'],
    ['/incidents', '[data-ticket]'],
    ['/logs', 'table.logs'],
    ['/wall?environment=production', '[data-target="portal-top"] .bar span'],
    ['/targets/production/portal-top', '.uplot canvas'],
    ['/tokens', '[data-testid="tokens"]'],
    ['/users', '[data-testid="users"] [data-user]'],
    ['/audit', '[data-testid="audit"] [data-seq]'],
    ['/requests', '[data-testid="requests"]'],
    ['/handovers', '[data-testid="handovers"]'],
  ];
  it.each(PAGES)('%s draws without a single CSP violation and carries the security headers', async (url, ready) => {
    const { headers, violations, console } = await visit(url, ready);
    expectStrictHeaders(headers);
    expect(violations, url).toEqual([]);
    expect(console.filter((text) => /Content Security Policy|Refused to/i.test(text)), url).toEqual([]);
  });

  it('a token just created, shown once, breaks no rule either', async () => {
    await visit('/tokens', '[data-testid="tokens"]');
    await page.locator('[data-testid="open-create-token"]').click();
    await page.locator('[data-testid="create-token"] select[name="kind"]').selectOption('display');
    await page.locator('[data-testid="create-token"] input[name="token-name"]').fill('wall');
    await page.locator('[data-testid="create-token"] button[type="submit"]').click();
    await page.locator('[data-testid="wall-url"]').waitFor({ timeout: 5000 });
    await page.locator('[data-testid="copy-issued-token"]').click();
    expect(await page.evaluate('window.__violations')).toEqual([]);
  });

  it('the listener does hear a violation: an inline style attribute put in by markup is blocked', async () => {
    await visit('/', 'h1');
    await page.evaluate(`document.body.insertAdjacentHTML('beforeend', '<div id="inline" style="color: rgb(255, 0, 0)">x</div>')`);
    await expect.poll(async () => ((await page.evaluate('window.__violations')) as Violation[]).map((v) => v.directive)).toContain('style-src-attr');
    expect(await page.evaluate(`getComputedStyle(document.getElementById('inline')).color`)).not.toBe('rgb(255, 0, 0)');
  });

  it('the maintenance page alone may be framed', async () => {
    const res = await fetch(`${server.url}/maintenance`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain('frame-ancestors *');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const windows = await fetch(`${server.url}/maintenance-windows`, { redirect: 'manual' });
    expect(windows.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });
});
