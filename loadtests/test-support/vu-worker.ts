// The worker thread that plays one k6 VU: k6's module names resolve to
// k6-shim.ts, __ENV/__VU/__ITER are set, the script is imported and the
// asked-for functions run. A request blocks this thread (Atomics.wait) while
// the test's thread answers it, so servers in the test's thread (the real
// Mimamori app included) keep serving: k6 scripts expect synchronous HTTP.
import { registerHooks } from 'node:module';
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import type { VuHost, WireRequest, WireResponse } from './k6-shim.ts';

export interface VuJob {
  script: string;
  env: Record<string, string>;
  calls: { name: string; arg?: unknown }[];
}

export interface VuOutcome {
  options: unknown;
  checks: VuHost['checks'];
  sleeps: number[];
  returns: unknown[];
  /** The message of an error thrown at init or by a call (k6 would stop or abort the iteration). */
  error: string | null;
}

const { job, port, flag } = workerData as { job: VuJob; port: MessagePort; flag: Int32Array };
const SHIM = new URL('./k6-shim.ts', import.meta.url).href;
const K6_MODULES = new Set(['k6', 'k6/http', 'https://jslib.k6.io/k6-summary/0.0.2/index.js']);

registerHooks({
  resolve: (specifier, context, nextResolve) => (K6_MODULES.has(specifier) ? { url: SHIM, shortCircuit: true } : nextResolve(specifier, context)),
});

function send(request: WireRequest): WireResponse {
  Atomics.store(flag, 0, 0);
  port.postMessage(request);
  if (Atomics.wait(flag, 0, 0, 30_000) === 'timed-out') throw new Error(`no answer to ${request.method} ${request.url} in 30 s`);
  const answer = receiveMessageOnPort(port);
  if (!answer) throw new Error(`the answer to ${request.method} ${request.url} went missing`);
  return answer.message as WireResponse;
}

const host: VuHost = { send, checks: [], sleeps: [] };
Object.assign(globalThis, { __k6vu: host, __ENV: { ...job.env }, __VU: 1, __ITER: 0 });

const outcome: VuOutcome = { options: null, checks: host.checks, sleeps: host.sleeps, returns: [], error: null };
try {
  const script = (await import(job.script)) as Record<string, unknown>;
  outcome.options = script.options ?? null;
  for (const call of job.calls) {
    const fn = script[call.name];
    if (typeof fn !== 'function') throw new Error(`${job.script} exports no function ${call.name}`);
    outcome.returns.push(fn(call.arg));
    (globalThis as unknown as { __ITER: number }).__ITER += 1;
  }
} catch (error) {
  outcome.error = (error as Error).message;
}
parentPort!.postMessage(outcome);
