// Idle-cost benchmark (issue 3): the agent with the default configuration
// (this host's CPU every 15 s, Mimamori's own log, a probe of /healthz every
// 30 s) for BENCH_IDLE_S seconds (default 300) against a running server.
// Prints the agent's average CPU as a percentage of one core, and its RSS.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServerProcess, waitForExit } from '../test/helpers/server-process.ts';
import { tempDir } from '../test/helpers/runtime.ts';
import { peakRssMiB, threadCpuSeconds } from './stats.ts';

const SECONDS = Number(process.env.BENCH_IDLE_S ?? 300);
const BIN = path.resolve(import.meta.dirname, '..', 'bin', 'mimamori.js');

async function main() {
  const dir = tempDir('mimamori-bench-idle-');
  const dataDir = path.join(dir, 'data');
  const serverConfig = path.join(dir, 'server.yaml');
  fs.writeFileSync(serverConfig, 'agent: { enabled: false }\n');
  const server = await startServerProcess({ MIMAMORI_DATA: dataDir, MIMAMORI_CONFIG: serverConfig });
  const token = fs.readFileSync(path.join(dataDir, 'ingest-token'), 'utf8').trim();
  const config = path.join(dir, 'agent.yaml');
  fs.writeFileSync(config, [
    `server: ${server.url}`, 'environment: production', 'spool: { dir: ./spool }', 'cpu: { interval: 15s }',
    'targets:', `  - { name: mimamori, url: "${server.url}/healthz", interval: 30s }`,
    'logs:', `  - { path: ${path.join(dataDir, 'logs', 'mimamori.log')}, service: mimamori, format: json }`, '',
  ].join('\n'));
  const agent = spawn(process.execPath, [BIN, 'agent', '--config', config], { env: { ...process.env, MIMAMORI_TOKEN: token }, stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 5000)); // start-up (bundle check, first collection) is not idle time
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const before = sum(threadCpuSeconds(agent.pid!));
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const cpuSeconds = sum(threadCpuSeconds(agent.pid!)) - before;
  const rss = peakRssMiB(agent.pid!);
  agent.kill('SIGTERM');
  await Promise.all([waitForExit(agent), server.stop()]);
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify({ bench: 'agent-idle', seconds: SECONDS, agent_cpu_percent_of_one_core: +((100 * cpuSeconds) / SECONDS).toFixed(3), agent_peak_rss_mib: Math.round(rss) }));
}

await main();
