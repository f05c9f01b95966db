// Wall-screen page benchmark (issue 5): a real server process with 1,000
// probe targets and 50 hosts reporting, the built dashboard opened in
// Debian's Chromium at 1920×1080; measured from navigation start until all
// 1,000 tiles are on screen (5 loads), plus the JavaScript the page ships
// (gzip). For comparison (issue text): Uptime Kuma 2.5.3 with 1,000
// monitors took 15-16 s to list them all on this machine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { startServerProcess } from '../test/helpers/server-process.ts';
import { tempDir } from '../test/helpers/runtime.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../collectors/synthetic/browser-probe.ts';
import { ensureDashboardBuilt } from '../server/http/build-dashboard.ts';
import { percentile } from './stats.ts';

const TARGETS = 1000;
const HOSTS = 50;
const LOADS = Number(process.env.BENCH_LOADS ?? 5);

async function main() {
  await ensureDashboardBuilt();
  const assets = path.resolve(import.meta.dirname, '..', 'dashboard', 'dist', 'assets');
  const gzipOf = (file: string) => zlib.gzipSync(fs.readFileSync(path.join(assets, file)), { level: 9 }).length;
  const jsGzip = fs.readdirSync(assets).filter((f) => f.endsWith('.js')).reduce((sum, f) => sum + gzipOf(f), 0);
  // What the wall itself loads (the signed-in pages are a chunk it never asks for).
  const wallScripts = new Set<string>();
  const dataDir = tempDir('mimamori-bench-wall-');
  const config = path.join(dataDir, 'mimamori.yaml');
  fs.writeFileSync(config, 'environments: [production, staging]\nagent: { enabled: false }\n');
  const server = await startServerProcess({ MIMAMORI_DATA: dataDir, MIMAMORI_CONFIG: config }, 60_000);
  const token = fs.readFileSync(path.join(dataDir, 'ingest-token'), 'utf8').trim();
  const post = async (kind: string, rows: object[]) => {
    const res = await fetch(`${server.url}/api/v1/ingest/${kind}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(rows) });
    if (!res.ok) throw new Error(`${kind}: ${res.status} ${await res.text()}`);
  };
  const now = Date.now();
  const probes = [];
  for (let minute = 60; minute >= 0; minute--) {
    for (let i = 0; i < TARGETS; i++) probes.push({ timestamp: now - minute * 60_000, environment: 'production', target: `target-${String(i).padStart(4, '0')}`, ok: i % 97 !== 0, status: 200, total_ms: i % 50 === 0 ? 6100 : 150 + (i % 700) });
  }
  for (let i = 0; i < probes.length; i += 20_000) await post('probes', probes.slice(i, i + 20_000));
  await post('metrics', Array.from({ length: HOSTS * 60 }, (_, k) => ({ timestamp: now - (k % 60) * 60_000, environment: 'production', host: `host-${Math.floor(k / 60)}`, name: 'cpu_utilisation_percent', labels: { cpu: 'total' }, value: 20 + (k % 70) })));
  await new Promise((r) => setTimeout(r, 2000)); // rows loaded into ClickHouse
  // The wall opens on a display token, as a kiosk does (issue 12): exchanged once for a cookie.
  const made = await fetch(`${server.url}/api/v1/tokens`, { method: 'POST', headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'display', name: 'bench wall' }) });
  const display = ((await made.json()) as { token: string }).token;
  const context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'mimamori-bench-chromium-')), { executablePath: CHROMIUM, args: CHROMIUM_ARGS, viewport: { width: 1920, height: 1080 } });
  const samples: number[] = [];
  let fits = false;
  try {
    const opened = await context.newPage();
    await opened.goto(`${server.url}/wall?token=${display}`);
    await opened.close();
    for (let load = 0; load <= LOADS; load++) {
      const page = await context.newPage();
      page.on('request', (r) => {
        const name = /\/assets\/([^/?]+\.js)$/.exec(r.url())?.[1];
        if (name) wallScripts.add(name);
      });
      const started = Date.now();
      await page.goto(`${server.url}/wall?environment=production`);
      // A locator, not waitForFunction: the dashboard's CSP (issue 12) forbids the eval a string predicate needs.
      await page.locator('[data-target]').nth(TARGETS - 1).waitFor({ state: 'attached', timeout: 30_000 });
      const ms = Date.now() - started;
      const shown = await page.locator('[data-target]').count();
      if (shown !== TARGETS) throw new Error(`the wall shows ${shown} tiles, not ${TARGETS}`);
      if (load > 0) samples.push(ms); // the first load warms the server's caches and Chromium's
      fits = (await page.evaluate('document.documentElement.scrollHeight <= innerHeight && document.documentElement.scrollWidth <= innerWidth')) as boolean;
      await page.close();
    }
  } finally {
    await context.close();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(JSON.stringify({ bench: 'wall-page', targets: TARGETS, hosts: HOSTS, loads: LOADS, full_render_p50_ms: percentile(samples, 50), full_render_max_ms: Math.max(...samples), fits_1920x1080: fits, js_gzip_kb: +(jsGzip / 1024).toFixed(1), wall_js_gzip_kb: +([...wallScripts].reduce((sum, f) => sum + gzipOf(f), 0) / 1024).toFixed(1) }));
}

await main();
