import { ensureDebianProgram } from './helpers/debian.ts';
import { ensureDashboardBuilt } from '../server/http/build-dashboard.ts';

// Programs the tests use for real, installed once before any test file runs
// (two files installing at once would fight over the dpkg lock), and the
// dashboard built once, as `npm start` would build it.
export default async function setup(): Promise<void> {
  ensureDebianProgram('/usr/bin/prometheus-node-exporter', 'prometheus-node-exporter');
  ensureDebianProgram(process.env.MIMAMORI_CHROMIUM ?? '/usr/bin/chromium', 'chromium');
  // A Japanese font (2 MB), so the browser tests render and screenshot Japanese text rather than boxes.
  ensureDebianProgram('/usr/share/fonts/truetype/vlgothic/VL-Gothic-Regular.ttf', 'fonts-vlgothic');
  // A real nginx for the log-rotation test (rename, then USR1).
  ensureDebianProgram('/usr/sbin/nginx', 'nginx-light');
  await ensureDashboardBuilt((msg) => process.stderr.write(`${msg}\n`));
}
