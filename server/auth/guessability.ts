import { Worker } from 'node:worker_threads';

/** How long the worker stays after the last check (a form often sends a few in a row). */
const IDLE_MS = 60_000;

let worker: Worker | undefined;
let idleTimer: NodeJS.Timeout | undefined;
let nextId = 0;
const waiting = new Map<number, { resolve: (score: number) => void; reject: (error: Error) => void }>();

function failAll(error: Error): void {
  for (const { reject } of waiting.values()) reject(error);
  waiting.clear();
  worker = undefined;
}

function started(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./guessability.worker.mjs', import.meta.url));
  w.on('message', (m: { id: number; score?: number; error?: string }) => {
    const pending = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined) pending?.reject(new Error(`password strength check failed: ${m.error}`));
    else pending?.resolve(m.score!);
  });
  w.on('error', (error) => failAll(error));
  w.on('exit', (code) => {
    if (worker === w) failAll(new Error(`password strength check stopped (exit ${code})`));
  });
  w.unref();
  worker = w;
  return w;
}

/**
 * zxcvbn's score (0–4) for a password, with the user's own words as extra
 * dictionary entries. Runs in a worker thread that loads the dictionaries
 * on the first check (~0.4 s) and ends after a minute without checks, so
 * they never weigh on the server's heap (see guessability.worker.mjs).
 */
export function guessabilityScore(password: string, inputs: readonly string[]): Promise<number> {
  const w = started();
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (waiting.size > 0 || worker !== w) return;
    worker = undefined;
    void w.terminate();
  }, IDLE_MS);
  idleTimer.unref();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    w.postMessage({ id, password, inputs: [...inputs] });
  });
}
