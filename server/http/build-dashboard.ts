import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..', 'dashboard');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
  }
  return latest;
}

/** True when dashboard/dist is missing or older than a source file (src/, index.html, vite.config.ts). */
export function dashboardIsStale(root = ROOT): boolean {
  const index = path.join(root, 'dist', 'index.html');
  if (!fs.existsSync(path.join(root, 'src'))) return false;
  if (!fs.existsSync(index)) return true;
  const sources = Math.max(newest(path.join(root, 'src')), ...['index.html', 'vite.config.ts'].map((f) => fs.statSync(path.join(root, f)).mtimeMs));
  return sources > fs.statSync(index).mtimeMs;
}

/** Builds the dashboard with Vite when it is stale (what `npm start` does before listening). */
export async function ensureDashboardBuilt(log: (msg: string) => void = () => undefined, root = ROOT): Promise<boolean> {
  if (!dashboardIsStale(root)) return false;
  log('building the dashboard (dashboard/dist is missing or older than its sources)…');
  const started = performance.now();
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
  log(`dashboard built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return true;
}
