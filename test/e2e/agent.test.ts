import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, startServerProcess, waitForExit } from '../helpers/server-process.ts';
import { tempDir } from '../helpers/runtime.ts';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'mimamori.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startAgent(configFile: string, token: string): ChildProcess {
  return spawn(process.execPath, [BIN, 'agent', '--config', configFile], { env: { ...process.env, MIMAMORI_TOKEN: token }, stdio: 'ignore' });
}

async function waitFor<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await sleep(250);
    value = await read();
  }
  return value;
}

describe('agent process → server process', () => {
  it('delivers every log line once through an agent SIGKILL and a server outage, with CPU and probes', async () => {
    const dataDir = tempDir();
    const work = tempDir();
    const port = await freePort();
    const env = { MIMAMORI_DATA: dataDir };
    let server = await startServerProcess(env, 30_000, port);
    const token = fs.readFileSync(path.join(dataDir, 'ingest-token'), 'utf8').trim();
    const logFile = path.join(work, 'app.log');
    fs.writeFileSync(logFile, '');
    const configFile = path.join(work, 'agent.yaml');
    fs.writeFileSync(configFile, [
      `server: ${server.url}`, 'environment: staging', 'host: e2e-host', 'spool: { dir: ./spool }', 'cpu: { interval: 1s }',
      'targets:', `  - { name: self, url: "${server.url}/healthz", interval: 1s, expect: { status: 200 } }`,
      'logs:', `  - { path: ${logFile}, service: e2e, format: plain }`, '',
    ].join('\n'));
    let written = 0;
    const write = (n: number) => {
      const lines: string[] = [];
      for (let i = 0; i < n; i++) lines.push(`${new Date().toISOString()} INFO line ${written++}`);
      fs.appendFileSync(logFile, `${lines.join('\n')}\n`);
    };
    const count = async () => (await server.get(`/api/v1/logs?service=e2e&environment=staging&limit=0`)).total as number;

    let agent = startAgent(configFile, token);
    try {
      for (let i = 0; i < 10; i++) {
        write(50);
        await sleep(100);
      }
      agent.kill('SIGKILL'); // mid-stream
      await waitForExit(agent);
      write(200);
      agent = startAgent(configFile, token);
      await waitFor('lines after the agent restart', count, (n) => n === written);

      // The server goes away for a while; the agent keeps reading and spooling.
      await server.stop();
      for (let i = 0; i < 5; i++) {
        write(40);
        await sleep(200);
      }
      server = await startServerProcess(env, 30_000, port);
      await waitFor('lines after the server outage', count, (n) => n === written);

      const rows = (await server.get(`/api/v1/logs?service=e2e&environment=staging&limit=1000`)).rows as { message: string }[];
      const numbers = rows.map((r) => Number(/line (\d+)$/.exec(r.message)![1]));
      expect(new Set(numbers).size).toBe(written); // none twice
      expect(Math.max(...numbers)).toBe(written - 1);

      const from = Date.now() - 600_000;
      // CPU and probes travel in requests of their own, and reads do not wait for a load in progress:
      // the log lines being all there does not mean these are loaded yet.
      const points = (source: string) => async () => (await server.get(`/api/v1/series?source=${source}&environment=staging&from=${from}&step=10`)).points as { max?: number; count?: number }[];
      const cpu = await waitFor('CPU samples', points('metrics&host=e2e-host&name=cpu_utilisation_percent'), (p) => p.length > 0);
      expect(cpu.length).toBeGreaterThan(0);
      for (const p of cpu) expect(p.max).toBeLessThanOrEqual(100);
      const probes = await waitFor('probes', points('probes&target=self'), (p) => p.length > 0);
      expect(probes.reduce((n, p) => n + p.count!, 0)).toBeGreaterThan(0);
    } finally {
      agent.kill('SIGTERM');
      await Promise.all([waitForExit(agent), server.stop()]);
    }
  });

  it('`start` runs its own agent: this host\'s CPU, its own log lines and its own probe appear within a minute', async () => {
    const server = await startServerProcess({ MIMAMORI_DATA: tempDir(), LOG_LEVEL: 'info' });
    try {
      const get = (query: string) => server.get(`${query}`);
      const from = Date.now() - 60_000;
      await waitFor('own log lines', () => get('/api/v1/logs?service=mimamori&environment=production&limit=0'), (b) => b.total > 0, 60_000);
      await waitFor('own CPU', () => get(`/api/v1/series?source=metrics&environment=production&host=${os.hostname()}&name=cpu_utilisation_percent&from=${from}&step=10`), (b) => b.points.length > 0, 60_000);
      await waitFor('own probe', () => get(`/api/v1/series?source=probes&environment=production&target=mimamori&from=${from}&step=10`), (b) => b.points.length > 0, 60_000);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('the self-contained agent folder for a monitored host runs outside the checkout, on the runtime it carries', async () => {
    const bundleDir = tempDir('mimamori-agent-bundle-');
    execFileSync(process.execPath, [path.resolve(import.meta.dirname, '..', '..', 'bin', 'build-agent.js'), '--out', bundleDir], { stdio: 'ignore' });
    for (const file of ['mimamori-agent.mjs', 'node', 'agent.example.yaml', 'mimamori-agent.service']) expect(fs.existsSync(path.join(bundleDir, file)), file).toBe(true);
    const version = execFileSync(path.join(bundleDir, 'node'), ['--version'], { encoding: 'utf8' }).trim();
    expect(version).toBe(process.version);

    const dataDir = tempDir();
    const server = await startServerProcess({ MIMAMORI_DATA: dataDir });
    const token = fs.readFileSync(path.join(dataDir, 'ingest-token'), 'utf8').trim();
    const host = tempDir('mimamori-monitored-host-'); // no node_modules anywhere above it
    const logFile = path.join(host, 'app.log');
    fs.writeFileSync(logFile, `${new Date().toISOString()} ERROR from the bundled agent\n`);
    fs.writeFileSync(path.join(host, 'agent.yaml'), [
      `server: ${server.url}`, 'environment: staging', 'host: bundled-host', 'spool: { dir: ./spool }', 'cpu: { interval: 1s }',
      'logs:', `  - { path: ${logFile}, service: bundled, format: plain }`, '',
    ].join('\n'));
    const agent = spawn(path.join(bundleDir, 'node'), [path.join(bundleDir, 'mimamori-agent.mjs'), 'agent', '--config', 'agent.yaml'], {
      cwd: host,
      env: { PATH: '/usr/bin:/bin', MIMAMORI_TOKEN: token },
      stdio: 'ignore',
    });
    try {
      const logs = await waitFor('the bundled agent\'s log line', () => server.get(`/api/v1/logs?service=bundled&environment=staging`), (b) => b.total === 1);
      expect(logs.rows[0].message).toContain('from the bundled agent');
      const from = Date.now() - 60_000;
      await waitFor('the bundled agent\'s CPU', () => server.get(`/api/v1/series?source=metrics&environment=staging&host=bundled-host&name=cpu_utilisation_percent&from=${from}&step=10`), (b) => b.points.length > 0);
    } finally {
      agent.kill('SIGTERM');
      await Promise.all([waitForExit(agent), server.stop()]);
    }
  });
});
