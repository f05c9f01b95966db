import { ensureDebianProgram } from './helpers/debian.ts';

// Programs the tests use for real, installed once before any test file runs
// (two files installing at once would fight over the dpkg lock).
export default function setup(): void {
  ensureDebianProgram('/usr/bin/prometheus-node-exporter', 'prometheus-node-exporter');
  ensureDebianProgram(process.env.MIMAMORI_CHROMIUM ?? '/usr/bin/chromium', 'chromium');
}
