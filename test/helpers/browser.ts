import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../../collectors/synthetic/browser-probe.ts';

/** Debian's Chromium with a fresh profile, in Japanese (the operators' language), at the given size. */
export function launchBrowser(viewport: { width: number; height: number } = { width: 1920, height: 1080 }): Promise<BrowserContext> {
  return chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'mimamori-chromium-')), { executablePath: CHROMIUM, args: CHROMIUM_ARGS, viewport, locale: 'ja-JP' });
}

/** Kept on window by every page before its own scripts: each Content-Security-Policy violation it reports (`window.__violations`). */
export const LISTEN_FOR_VIOLATIONS = `
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.sourceFile + ':' + e.lineNumber), true);
`;

/** Chromium at `viewport` whose pages listen for CSP violations from the start; its first page. */
export async function openWatchedPage(viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await launchBrowser(viewport);
  await context.addInitScript(LISTEN_FOR_VIOLATIONS);
  return { context, page: context.pages()[0] ?? (await context.newPage()) };
}

/** What the page's CSP listener heard (see LISTEN_FOR_VIOLATIONS). */
export const violations = (page: Page) => page.evaluate('window.__violations') as Promise<string[]>;

/**
 * Opens `where` signed out, checks it is sent to the sign-in page with
 * `next` set, signs in there, and waits until it is back on a page whose
 * heading is `heading`.
 */
export async function signInThrough(page: Page, baseUrl: string, where: string, user: { id: string; chosen: string }, heading: string): Promise<void> {
  await page.goto(`${baseUrl}${where}`);
  await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('next') === where, { timeout: 5000 });
  await page.locator('[data-testid="login-form"] input[name="username"]').fill(user.id);
  await page.locator('[data-testid="login-form"] input[name="password"]').fill(user.chosen);
  await page.locator('[data-testid="login-form"] button[type="submit"]').click();
  await page.getByRole('heading', { name: heading }).waitFor({ timeout: 5000 });
}
