import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TargetConfig } from '../config.ts';
import type { ProbeResult } from './http-probe.ts';

export const CHROMIUM = process.env.MIMAMORI_CHROMIUM ?? '/usr/bin/chromium';
// Headless, and no calls home: this machine's network is closed (and a probe should not phone anyone).
/** Flags for Debian's Chromium here: headless, no sandbox (root), no GPU, no background traffic. */
export const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

export interface BrowserProbeResult extends ProbeResult {
  /** Largest contentful paint: when the main content appeared. */
  lcp_ms?: number;
}

interface NavigationTimes {
  dns: number;
  connect: number;
  tls?: number;
  ttfb: number;
  load: number;
  lcp?: number;
}

/**
 * Loads the page in Chromium, as a visitor would, and reports the
 * navigation timings up to the load event plus the largest contentful paint.
 */
export async function probeBrowser(target: TargetConfig, onSlow: (elapsedMs: number) => void = () => undefined): Promise<BrowserProbeResult> {
  const { chromium } = await import('playwright-core');
  const started = performance.now();
  const slowTimer = setTimeout(() => onSlow(performance.now() - started), target.thresholdMs);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mimamori-browser-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, ignoreHTTPSErrors: target.insecureTls });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const response = await page.goto(target.url, { waitUntil: 'load', timeout: target.timeoutMs });
    const times = (await page.evaluate(MEASURE)) as NavigationTimes;
    const status = response?.status() ?? 0;
    const body = target.expect.contains !== undefined || target.expect.regex ? await page.content() : '';
    const failure =
      (target.expect.status !== undefined ? status !== target.expect.status : status >= 400) ? `HTTP ${status}`
      : target.expect.contains !== undefined && !body.includes(target.expect.contains) ? `keyword "${target.expect.contains}" not found in the page`
      : target.expect.regex && !target.expect.regex.test(body) ? `pattern /${target.expect.regex.source}/ not found in the page`
      : '';
    return { ok: failure === '', status, error: failure, dns_ms: times.dns, connect_ms: times.connect, tls_ms: times.tls, ttfb_ms: times.ttfb, total_ms: times.load, lcp_ms: times.lcp };
  } catch (error) {
    return { ok: false, status: 0, error: (error as Error).message.split('\n')[0]!, total_ms: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(slowTimer);
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** Runs in the page (as text: the agent is compiled without DOM types): navigation timing and the last LCP candidate. */
const MEASURE = `new Promise((resolve) => {
  const nav = performance.getEntriesByType('navigation')[0];
  const r = (n) => Math.round(n * 10) / 10;
  let lcp;
  new PerformanceObserver((list) => { const last = list.getEntries().at(-1); if (last) lcp = last.startTime; })
    .observe({ type: 'largest-contentful-paint', buffered: true });
  setTimeout(() => resolve({
    dns: r(nav.domainLookupEnd - nav.domainLookupStart),
    connect: r(nav.connectEnd - nav.connectStart),
    tls: nav.secureConnectionStart > 0 ? r(nav.connectEnd - nav.secureConnectionStart) : undefined,
    ttfb: r(nav.responseStart),
    load: r(nav.loadEventEnd || performance.now()),
    lcp: lcp === undefined ? undefined : r(lcp),
  }), 100);
})`;
