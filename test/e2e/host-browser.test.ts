import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerWithConfig, type ServerProcess } from '../helpers/server-process.ts';
import { createSignedInUser } from '../helpers/accounts.ts';
import { openWatchedPage, signInThrough, violations } from '../helpers/browser.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts');
const VIEWER = { id: 'mori', initial: 'Q8#lantern-Moss-2', chosen: 'Tw1light&Cedar-77' };

/**
 * A host's page in Debian's Chromium at 1366×768 against a real server:
 * CPU, memory and load each against the threshold a rule sets on it (or a
 * plain "no threshold" and how to set one), the newest value first.
 */
describe('the host page in a real browser', () => {
  let server: ServerProcess;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServerWithConfig(`
environments: [production, staging]
agent: { enabled: false }
rules:
  - { name: cpu-capacity, kind: cpu, threshold_percent: 80 }
  - { name: memory-capacity, kind: host_metric, metric: memory_used_percent, threshold: 90 }
  - { name: load-high, kind: host_metric, metric: load_average, labels: { period: 5m }, threshold: 4, match: { host: [web-1] } }
`);
    const at = Date.now() - 90_000;
    const metric = (host: string, name: string, value: number, labels: Record<string, string> = {}) => ({ timestamp: at, environment: 'production', host, name, labels, value });
    const rows = [
      metric('web-1', 'cpu_utilisation_percent', 42, { cpu: 'total' }),
      metric('web-1', 'cpu_utilisation_percent', 99, { cpu: '0' }), // one busy core: not the host's figure
      metric('web-1', 'memory_used_percent', 93.5),
      metric('web-1', 'load_average', 7.5, { period: '1m' }),
      metric('web-1', 'load_average', 3.2, { period: '5m' }),
      metric('web-1', 'load_average', 2.1, { period: '15m' }),
      metric('web-2', 'cpu_utilisation_percent', 12, { cpu: 'total' }),
    ];
    const res = await server.ingest('metrics', rows);
    expect(res.status, await res.text()).toBe(200);
    await createSignedInUser(server.url, server.adminKey, { id: VIEWER.id, role: 'viewer', name: '森 太郎', initial: VIEWER.initial, chosen: VIEWER.chosen });
    ({ context, page } = await openWatchedPage({ width: 1366, height: 768 }));
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  const chart = (metric: string) => page.locator(`[data-testid="host-chart"][data-metric="${metric}"]`);

  it('shows CPU, memory and load, each against its threshold, the newest value first', async () => {
    await signInThrough(page, server.url, '/hosts/production/web-1', VIEWER, 'ホスト: web-1');
    await chart('load_average').locator('canvas').first().waitFor();
    expect(await page.locator('[data-testid="host-chart"] h2').count()).toBe(3);
    const cpu = chart('cpu_utilisation_percent');
    expect(await cpu.locator('[data-testid="host-latest"]').innerText()).toBe('42%'); // the host total, not the busy core
    expect(await cpu.locator('[data-testid="host-threshold"]').innerText()).toBe('しきい値 80%（ルール cpu-capacity）');
    const memory = chart('memory_used_percent');
    expect(await memory.locator('[data-testid="host-latest"]').innerText()).toBe('93.5%');
    expect((await memory.locator('[data-testid="host-latest"]').getAttribute('class'))!.split(' ')).toContain('over');
    expect(await memory.locator('[data-testid="host-threshold"]').innerText()).toBe('しきい値 90%（ルール memory-capacity）');
    const load = chart('load_average');
    expect(await load.locator('[data-testid="host-latest"]').innerText()).toBe('3.2'); // the 5-minute load its rule watches
    expect(await load.locator('[data-testid="host-threshold"]').innerText()).toBe('しきい値 4（ルール load-high）');
    // The chart legend names the three load lines and the threshold line.
    expect(await load.innerText()).toMatch(/1m[\s\S]*5m[\s\S]*15m[\s\S]*しきい値 4/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'host-1366x768.png'), fullPage: true });
    expect(await violations(page)).toEqual([]);
  });

  it('says where no rule watches a series, and where a host sent nothing', async () => {
    await page.goto(`${server.url}/hosts/production/web-2`);
    await chart('memory_used_percent').locator('[data-testid="host-empty"]').waitFor();
    expect(await chart('load_average').locator('[data-testid="host-threshold"]').innerText()).toContain('しきい値なし'); // load-high covers web-1 only
    expect(await chart('memory_used_percent').locator('[data-testid="host-latest"]').innerText()).toBe('データなし');
    expect(await chart('memory_used_percent').locator('[data-testid="host-empty"]').innerText()).toContain('エージェントか node_exporter');
  });
});
