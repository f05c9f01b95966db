// Runs a k6 script's functions in vu-worker.ts and answers its requests from
// this thread with fetch(): the script blocks, this thread's servers do not.
import { MessageChannel, Worker } from 'node:worker_threads';
import type { WireRequest, WireResponse } from './k6-shim.ts';
import type { VuJob, VuOutcome } from './vu-worker.ts';

async function perform(request: WireRequest): Promise<WireResponse> {
  const started = performance.now();
  try {
    const res = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body ?? undefined, redirect: 'manual' });
    const body = await res.text();
    return { status: res.status, body, headers: Object.fromEntries(res.headers), durationMs: performance.now() - started, error: '' };
  } catch (error) {
    // k6 answers an unreachable server with status 0 and the error text.
    return { status: 0, body: null, headers: {}, durationMs: performance.now() - started, error: String((error as Error).cause ?? error) };
  }
}

export interface ScriptRun extends VuOutcome {
  /** Every request the script made, in order. */
  requests: WireRequest[];
}

/** Imports `script` (a path next to this folder's parent, e.g. 'target-slo.ts') with `env` as __ENV, then calls each of `calls` in turn. */
export async function runScript(script: string, env: Record<string, string>, calls: VuJob['calls'] = []): Promise<ScriptRun> {
  const job: VuJob = { script: new URL(`../${script}`, import.meta.url).href, env, calls };
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const requests: WireRequest[] = [];
  port2.on('message', (request: WireRequest) => {
    requests.push(request);
    void perform(request).then((answer) => {
      port2.postMessage(answer);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    });
  });
  const worker = new Worker(new URL('./vu-worker.ts', import.meta.url), { workerData: { job, port: port1, flag }, transferList: [port1] });
  try {
    const outcome = await new Promise<VuOutcome>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the VU worker exited (${code}) before answering`)));
    });
    return { ...outcome, requests };
  } finally {
    port2.close();
    await worker.terminate();
  }
}
