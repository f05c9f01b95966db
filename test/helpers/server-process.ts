import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  dataDir: string;
  /** The local admin key of its data directory (`<data>/admin-token`): reads need a role. */
  adminKey: string;
  /** GET with the admin key, as JSON. */
  get: <T = any>(pathAndQuery: string) => Promise<T>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** POSTs rows to /api/v1/ingest/<kind> with the data directory's ingest token; the response. */
  ingest: (kind: 'logs' | 'metrics' | 'probes', rows: object[]) => Promise<Response>;
  /**
   * SIGTERM, then its exit code. Past `timeoutMs` it fails with what the process
   * was doing (its threads' kernel states, its last output) and is killed, so a
   * hung stop is diagnosed instead of outliving the test.
   */
  stop: (timeoutMs?: number) => Promise<number | null>;
}

/** Starts `mimamori start` as a real child process and waits until /readyz answers. */
export async function startServerProcess(env: NodeJS.ProcessEnv, timeoutMs = 30_000, port?: number): Promise<ServerProcess> {
  port ??= await freePort();
  // SERVER_NODE_ARGS (e.g. --cpu-prof) lets a benchmark profile the server process.
  const nodeArgs = (process.env.SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'bin', 'mimamori.js'), 'start'], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${out}`);
    try {
      // Bounded, so a server that accepts but never answers cannot outlast the deadline.
      if ((await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) })).ok) {
        const dataDir = path.resolve(ROOT, env.MIMAMORI_DATA ?? './data');
        const adminKey = fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
        const get = async <T,>(pathAndQuery: string) => (await (await fetch(`${url}${pathAndQuery}`, { headers: { authorization: `Bearer ${adminKey}` } })).json()) as T;
        const stop = async (stopTimeoutMs = 40_000) => {
          child.kill('SIGTERM');
          try {
            return await waitForExit(child, stopTimeoutMs);
          } catch (error) {
            const threads = threadStates(child.pid!);
            child.kill('SIGKILL');
            throw new Error(`${(error as Error).message} after SIGTERM; its threads:\n${threads}\nits last output:\n${out.slice(-4000)}`);
          }
        };
        let token: string | undefined; // read once, on the first ingest
        const ingest = (kind: string, rows: object[]) => {
          token ??= fs.readFileSync(path.join(dataDir, 'ingest-token'), 'utf8').trim();
          return fetch(`${url}/api/v1/ingest/${kind}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(rows), signal: AbortSignal.timeout(30_000) });
        };
        return { child, url, output: () => out, dataDir, adminKey, get, ingest, stop };
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not become ready in ${timeoutMs} ms: ${out}`);
}

/**
 * `mimamori start` on a fresh data directory with this mimamori.yaml; also
 * returns the directory and the environment, to start it again on them.
 */
export async function startServerWithConfig(yaml: string, options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; port?: number } = {}): Promise<ServerProcess & { env: NodeJS.ProcessEnv }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mimamori-test-'));
  const config = path.join(dataDir, 'mimamori.yaml');
  fs.writeFileSync(config, yaml);
  const env = { MIMAMORI_DATA: dataDir, MIMAMORI_CONFIG: config, ...options.env };
  return { ...(await startServerProcess(env, options.timeoutMs ?? 60_000, options.port)), env };
}

/** The exit code; fails (naming the process) past `timeoutMs`, beyond the server's own 30 s forced stop. */
export function waitForExit(child: ChildProcess, timeoutMs = 40_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`process ${child.pid} did not exit within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Each thread's name, state and kernel wait channel (and the main thread's kernel stack when readable): where a hung process waits. */
function threadStates(pid: number): string {
  const read = (file: string) => {
    try {
      return fs.readFileSync(file, 'utf8').trim();
    } catch {
      return '?';
    }
  };
  try {
    const lines = fs.readdirSync(`/proc/${pid}/task`).map((tid) => {
      const stat = read(`/proc/${pid}/task/${tid}/stat`);
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return `  ${tid} ${read(`/proc/${pid}/task/${tid}/comm`)} ${state} ${read(`/proc/${pid}/task/${tid}/wchan`)}`;
    });
    // The user-space stack says which native call holds the main thread (gdb is there on Debian machines with it installed).
    const gdb = spawnSync('gdb', ['-p', String(pid), '-batch', '-nx', '-ex', 'thread apply 1 bt 30'], { encoding: 'utf8', timeout: 30_000 });
    const backtrace = gdb.error ? `(no gdb: ${gdb.error.message})` : gdb.stdout.split('\n').filter((l) => /^#\d/.test(l)).join('\n');
    return [...lines, `main thread kernel stack:\n${read(`/proc/${pid}/stack`)}`, `main thread backtrace:\n${backtrace}`].join('\n');
  } catch (error) {
    return `  unreadable: ${(error as Error).message}`;
  }
}
