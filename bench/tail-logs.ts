// Tail benchmark (issue 3): a log file (default 1 GiB; BENCH_TAIL_MB) of
// mixed plain, JSON and multiline (stack trace) events, followed by a real
// `mimamori agent` process into a real server process over loopback.
// Prints events/s from agent start until every event is queryable, and the
// agent's peak RSS.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServerProcess, waitForExit } from '../test/helpers/server-process.ts';
import { tempDir } from '../test/helpers/runtime.ts';
import { peakRssMiB } from './stats.ts';

const TARGET_BYTES = Number(process.env.BENCH_TAIL_MB ?? 1024) * 1024 * 1024;
const BIN = path.resolve(import.meta.dirname, '..', 'bin', 'mimamori.js');

function writeLog(file: string): { events: number; lines: number } {
  const fd = fs.openSync(file, 'w');
  const base = Date.now() - 3_600_000;
  let bytes = 0;
  let events = 0;
  let lines = 0;
  while (bytes < TARGET_BYTES) {
    const parts: string[] = [];
    for (let i = 0; i < 10_000; i++, events++) {
      const t = new Date(base + Math.floor(events / 2000)).toISOString();
      const kind = events % 20;
      if (kind === 0) {
        parts.push(`${t} ERROR request ${events} failed: TypeError: cannot read properties of undefined\n    at handler (/srv/app/routes.js:42:13)\n    at next (/srv/app/router.js:7:5)`);
        lines += 3;
      } else if (kind < 10) {
        parts.push(JSON.stringify({ time: t, level: kind < 3 ? 'warn' : 'info', msg: `GET /api/v1/items/${events} 200`, duration_ms: events % 900, user: `u${events % 5000}` }));
        lines++;
      } else {
        parts.push(`${t} INFO worker ${events % 8} processed job ${events} in ${events % 300} ms`);
        lines++;
      }
    }
    const chunk = `${parts.join('\n')}\n`;
    fs.writeSync(fd, chunk);
    bytes += Buffer.byteLength(chunk);
  }
  fs.closeSync(fd);
  return { events, lines };
}

async function main() {
  const dir = tempDir('mimamori-bench-tail-');
  const logFile = path.join(dir, 'app.log');
  process.stderr.write(`writing ${Math.round(TARGET_BYTES / 2 ** 20)} MiB of logs…\n`);
  const { events, lines } = writeLog(logFile);
  const server = await startServerProcess({ MIMAMORI_DATA: path.join(dir, 'data'), MIMAMORI_CONFIG: writeServerConfig(dir) });
  const token = fs.readFileSync(path.join(dir, 'data', 'ingest-token'), 'utf8').trim();
  const config = path.join(dir, 'agent.yaml');
  fs.writeFileSync(config, `server: ${server.url}\nenvironment: staging\nhost: bench\ncpu: false\nspool: { dir: ./spool, max_bytes: 4GiB }\nlogs:\n  - { path: ${logFile}, service: bench, multiline_start: '^\\S' }\n`);
  const began = performance.now();
  const agent = spawn(process.execPath, [...(process.env.AGENT_NODE_ARGS ?? '').split(' ').filter(Boolean), BIN, 'agent', '--config', config], { env: { ...process.env, MIMAMORI_TOKEN: token }, stdio: 'ignore' });
  let stored = 0;
  let peak = 0;
  while (stored < events) {
    await new Promise((r) => setTimeout(r, 250));
    peak = Math.max(peak, peakRssMiB(agent.pid!));
    const answer = (await (await fetch(`${server.url}/api/v1/logs?service=bench&environment=staging&from=0&limit=0`, { headers: { authorization: `Bearer ${server.adminKey}` } })).json()) as { total?: number };
    if (typeof answer.total !== 'number') throw new Error(`read API answered ${JSON.stringify(answer)}`);
    stored = answer.total;
    if (agent.exitCode !== null) throw new Error(`agent exited with ${agent.exitCode}`);
  }
  const seconds = (performance.now() - began) / 1000;
  agent.kill('SIGTERM');
  await Promise.all([waitForExit(agent), server.stop()]);
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify({ bench: 'tail-logs', mib: Math.round(TARGET_BYTES / 2 ** 20), events, lines, seconds: +seconds.toFixed(1), events_per_s: Math.round(events / seconds), lines_per_s: Math.round(lines / seconds), agent_peak_rss_mib: Math.round(peak) }));
}

/** The server's own agent would compete for the same cores; the benchmark measures the external agent alone. */
function writeServerConfig(dir: string): string {
  const file = path.join(dir, 'server.yaml');
  fs.writeFileSync(file, 'agent: { enabled: false }\n');
  return file;
}

await main();
