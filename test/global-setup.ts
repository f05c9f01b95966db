import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDebianProgram } from './helpers/debian.ts';
import { ensureDashboardBuilt } from '../server/http/build-dashboard.ts';

// Programs the tests use for real, installed once before any test file runs
// (two files installing at once would fight over the dpkg lock), and the
// dashboard built once, as `npm start` would build it.
export default async function setup(): Promise<() => void> {
  // Every data directory and scratch file of this run goes under one folder, removed at the end
  // (the test processes inherit TMPDIR): runs do not pile chDB stores up in /tmp.
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mimamori-test-run-'));
  process.env.TMPDIR = runDir;
  ensureDebianProgram('/usr/bin/prometheus-node-exporter', 'prometheus-node-exporter');
  ensureDebianProgram(process.env.MIMAMORI_CHROMIUM ?? '/usr/bin/chromium', 'chromium');
  // A Japanese font (2 MB), so the browser tests render and screenshot Japanese text rather than boxes.
  ensureDebianProgram('/usr/share/fonts/truetype/vlgothic/VL-Gothic-Regular.ttf', 'fonts-vlgothic');
  // A real nginx for the log-rotation test (rename, then USR1).
  ensureDebianProgram('/usr/sbin/nginx', 'nginx-light');
  // Debian's docker-compose reads and checks docker-compose.yml without a Docker daemon (test/deploy).
  ensureDebianProgram('/usr/bin/docker-compose', 'docker-compose');
  await ensureDashboardBuilt((msg) => process.stderr.write(`${msg}\n`));
  return () => fs.rmSync(runDir, { recursive: true, force: true });
}
