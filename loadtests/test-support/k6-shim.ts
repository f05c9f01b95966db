// A small stand-in for the k6 modules the scripts import ('k6', 'k6/http' and
// the jslib text summary), loaded in the worker that plays the k6 VU
// (vu-worker.ts). Requests are real and synchronous, as in k6: the worker
// blocks while the test's thread performs them.

export interface WireRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

export interface WireResponse {
  status: number;
  body: string | null;
  headers: Record<string, string>;
  durationMs: number;
  error: string;
}

export interface CheckRecord {
  name: string;
  ok: boolean;
}

/** What vu-worker.ts provides on globalThis before the script is imported. */
export interface VuHost {
  send(request: WireRequest): WireResponse;
  checks: CheckRecord[];
  sleeps: number[];
}

const host = (): VuHost => (globalThis as unknown as { __k6vu: VuHost }).__k6vu;

// --- 'k6' ---

export function check<T>(value: T, sets: Record<string, (v: T) => boolean>): boolean {
  let all = true;
  for (const [name, test] of Object.entries(sets)) {
    const ok = Boolean(test(value));
    host().checks.push({ name, ok });
    all &&= ok;
  }
  return all;
}

export function sleep(seconds: number): void {
  host().sleeps.push(seconds);
}

export function group<T>(_name: string, fn: () => T): T {
  return fn();
}

// --- 'k6/http' ---

interface Params {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  responseType?: string;
}

export function request(method: string, url: string, body?: string | null, params?: Params | null) {
  const answer = host().send({ method, url, headers: params?.headers ?? {}, body: body ?? null });
  return {
    status: answer.status,
    body: answer.body,
    headers: answer.headers,
    error: answer.error,
    url,
    timings: { duration: answer.durationMs },
    json: () => JSON.parse(answer.body ?? ''),
  };
}

export const get = (url: string, params?: Params | null) => request('GET', url, null, params);
export const post = (url: string, body?: string | null, params?: Params | null) => request('POST', url, body, params);

export default { request, get, post };

// --- https://jslib.k6.io/k6-summary/…/index.js ---

/** Not k6's report: a line the tests can recognise as having come from textSummary(). */
export function textSummary(data: { metrics?: Record<string, unknown> }): string {
  return `[textSummary of ${Object.keys(data.metrics ?? {}).length} metrics]`;
}
