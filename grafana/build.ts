// Writes grafana/dashboards/<uid>.json from the TypeScript boards, for the
// file provider of provisioning/dashboards/mimamori.yaml. Run after changing
// a board: `npx tsx grafana/build.ts`. build.test.ts fails when the committed
// files differ from what this writes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Dashboard } from '@grafana/schema';
import { boards } from './boards/index.ts';

export const DASHBOARDS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dashboards');

/** File name to content: two-space JSON in the boards' own key order, ending in a newline. */
export function renderDashboards(): Map<string, string> {
  const files = new Map<string, string>();
  for (const board of boards) {
    const name = `${board.uid}.json`;
    if (files.has(name)) throw new Error(`two boards have the uid ${board.uid}`);
    const dashboard: Dashboard = board;
    files.set(name, `${JSON.stringify(dashboard, null, 2)}\n`);
  }
  return files;
}

function main() {
  fs.mkdirSync(DASHBOARDS_DIR, { recursive: true });
  const files = renderDashboards();
  for (const stale of fs.readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json') && !files.has(f))) {
    fs.rmSync(path.join(DASHBOARDS_DIR, stale));
    process.stdout.write(`removed ${stale}\n`);
  }
  for (const [name, text] of files) {
    fs.writeFileSync(path.join(DASHBOARDS_DIR, name), text);
    process.stdout.write(`wrote grafana/dashboards/${name}\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main();
