// Bundles the agent (collectors/main.ts and what it imports) into one
// JavaScript file with esbuild, so `mimamori agent` runs on plain Node.js:
// no TypeScript loader thread, about half the memory. Rebuilt when any
// source is newer than the bundle; packages stay in node_modules.
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'node_modules', '.cache', 'mimamori', 'agent.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

export async function buildAgent() {
  const built = fs.existsSync(OUT) ? fs.statSync(OUT).mtimeMs : 0;
  const sources = Math.max(newestSource(path.join(ROOT, 'collectors')), newestSource(path.join(ROOT, 'server')));
  if (built > sources) return OUT;
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'collectors', 'main.ts')],
    outfile: OUT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  await esbuild.stop?.();
  return OUT;
}
