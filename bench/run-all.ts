// `npm run bench`: runs each benchmark in its own process (chDB allows one
// data directory per process) and prints one JSON line of figures per bench.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const BENCHES = ['ingest-logs.ts', 'query-series.ts', 'tail-logs.ts', 'agent-idle.ts', 'alert-latency.ts', 'alert-e2e.ts', 'rule-eval.ts', 'wall-data.ts', 'wall-page.ts', 'auth.ts', 'audit.ts', 'report-monthly.ts', 'report-annual.ts', 'k6-upload.ts', 'k6-upload-http.ts', 'patterns-miner.ts', 'drain.ts', 'patterns-sustained.ts', 'follower-delay.ts', 'handover.ts'];
const only = process.argv.slice(2);

console.log(JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memory_gib: Math.round(os.totalmem() / 2 ** 30) }));
let failed = 0;
for (const bench of BENCHES.filter((b) => only.length === 0 || only.some((o) => b.includes(o)))) {
  process.stderr.write(`running bench/${bench}…\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, bench)], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    failed++;
    console.error(`bench/${bench} failed with ${result.status}`);
  }
}
process.exit(failed ? 1 : 0);
