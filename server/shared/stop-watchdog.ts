import { Worker } from 'node:worker_threads';

// Plain JavaScript for a worker; getBuiltinModule works whether it runs as a script or a module.
const WATCHDOG = `
const { workerData } = process.getBuiltinModule('node:worker_threads');
const fs = process.getBuiltinModule('node:fs');
setTimeout(() => {
  const line = JSON.stringify({ level: 60, time: Date.now(), service: 'mimamori', msg: workerData.message }) + '\\n';
  try { fs.appendFileSync(workerData.logFile, line); } catch {}
  try { fs.writeSync(2, line); } catch {}
  process.kill(workerData.pid, 'SIGKILL');
}, workerData.ms);
`;

/**
 * The forced stop (a timer) runs on the main thread, so a native call that
 * never returns there would defeat it too: CI once saw a stopping server's
 * main thread parked in a futex for over 40 s. This thread keeps the
 * promise whatever the main thread does: past `ms` it writes why (to the log
 * file and stderr) and kills the process. Accepted rows are safe in the
 * write-ahead log. Does not keep the process alive.
 */
export function armStopWatchdog(ms: number, logFile: string): void {
  const message = `stopping took longer than ${ms / 1000} s with the main thread blocked; killing the process (accepted rows stay in the write-ahead log)`;
  new Worker(WATCHDOG, { eval: true, workerData: { ms, logFile, pid: process.pid, message } }).unref();
}
