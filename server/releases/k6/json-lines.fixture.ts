// A synthetic `k6 run --out json` run, made line by line on demand, with
// its known answers: for the tests (a million points without holding them)
// and for bench/k6-upload.ts. Lines are as k6 v1 writes them (Metric line
// before a metric's first Point, RFC 3339 times with nanoseconds and the
// local offset, real tag sets), some 150–250 bytes each.
//
// Each iteration makes one request: http_req_duration, http_reqs,
// http_req_failed, two checks and iterations, 5 ms apart; every second
// vus and vus_max. Request durations are a permutation of a log-uniform
// grid from 5 to 2000 ms, so every percentile is known exactly.

import { Readable } from 'node:stream';
import type { K6Run } from './model.ts';

const START_MS = Date.UTC(2026, 2, 1, 10, 0, 0);
const ITERATION_MS = 5;
const VUS_MAX = 60;
/** A multiplier coprime with the iteration count makes i ↦ i·STRIDE mod n a permutation. */
const STRIDE = 1_000_003;

export interface SyntheticRun {
  iterations: number;
  /** Points (samples) in the file; Metric lines come on top. */
  points: number;
  lines(): Generator<string>;
  /** The sorted request durations' value at rank k. */
  durationAtRank(k: number): number;
  expected: Omit<K6Run, 'durationMs' | 'format'>;
}

/** k6's time format: "2026-03-01T19:00:00.005123456+09:00". */
function k6Time(ms: number): string {
  return `${new Date(ms + 9 * 3600_000).toISOString().slice(0, 23)}123456+09:00`;
}

export function syntheticRun(iterations: number): SyntheticRun {
  if (iterations % STRIDE === 0) throw new Error('iterations must not be a multiple of the stride');
  const durationAtRank = (k: number) => Math.round(5000 * Math.exp((k / iterations) * Math.log(400))) / 1000;
  const seconds = Math.floor(((iterations - 1) * ITERATION_MS) / 1000) + 1;
  const failures = Math.ceil(iterations / 50);
  const tokenFailures = Math.floor((iterations - 8) / 100) + 1;
  const lastMs = Math.max((iterations - 1) * ITERATION_MS, (seconds - 1) * 1000);

  function* lines(): Generator<string> {
    const declare = (name: string, type: string, contains: string, thresholds: unknown[]) =>
      JSON.stringify({ type: 'Metric', data: { name, type, contains, thresholds, submetrics: null }, metric: name });
    yield declare('vus', 'gauge', 'default', []);
    yield declare('vus_max', 'gauge', 'default', []);
    yield declare('http_req_duration', 'trend', 'time', ['p(95)<1600', { threshold: 'p(99)<1000', abortOnFail: true, delayAbortEval: '10s' }]);
    yield declare('http_reqs', 'counter', 'default', ['count>100']);
    yield declare('http_req_failed', 'rate', 'default', ['rate<0.01']);
    yield declare('checks', 'rate', 'default', ['rate>0.9']);
    yield declare('iterations', 'counter', 'default', []);
    const request = (status: string) => `{"expected_response":"${status === '200'}","group":"","method":"GET","name":"http://127.0.0.1:8080/api/items","proto":"HTTP/1.1","scenario":"default","status":"${status}","url":"http://127.0.0.1:8080/api/items"}`;
    const ok = request('200');
    const failed = request('503');
    for (let i = 0; i < iterations; i++) {
      const ms = i * ITERATION_MS;
      if (ms % 1000 === 0) {
        const time = k6Time(START_MS + ms);
        yield `{"metric":"vus","type":"Point","data":{"time":"${time}","value":${Math.min(50, 1 + ms / 1000)},"tags":{}}}`;
        yield `{"metric":"vus_max","type":"Point","data":{"time":"${time}","value":${VUS_MAX},"tags":{}}}`;
      }
      const time = k6Time(START_MS + ms);
      const fails = i % 50 === 0;
      const tags = fails ? failed : ok;
      yield `{"metric":"http_req_duration","type":"Point","data":{"time":"${time}","value":${durationAtRank((i * STRIDE) % iterations)},"tags":${tags}}}`;
      yield `{"metric":"http_reqs","type":"Point","data":{"time":"${time}","value":1,"tags":${tags}}}`;
      yield `{"metric":"http_req_failed","type":"Point","data":{"time":"${time}","value":${fails ? 1 : 0},"tags":${tags}}}`;
      yield `{"metric":"checks","type":"Point","data":{"time":"${time}","value":${fails ? 0 : 1},"tags":{"check":"status is 200","group":"","scenario":"default"}}}`;
      yield `{"metric":"checks","type":"Point","data":{"time":"${time}","value":${i % 100 === 7 ? 0 : 1},"tags":{"check":"body has token","group":"","scenario":"default"}}}`;
      yield `{"metric":"iterations","type":"Point","data":{"time":"${time}","value":1,"tags":{"group":"","scenario":"default"}}}`;
    }
  }

  const checksPassed = 2 * iterations - failures - tokenFailures;
  return {
    iterations,
    points: 6 * iterations + 2 * seconds,
    lines,
    durationAtRank,
    expected: {
      requests: iterations,
      requestRate: iterations / (lastMs / 1000),
      failedRate: failures / iterations,
      checks: [
        { name: 'status is 200', passes: iterations - failures, fails: failures },
        { name: 'body has token', passes: iterations - tokenFailures, fails: tokenFailures },
      ],
      iterations,
      vusMax: VUS_MAX,
      testDurationMs: lastMs,
      thresholds: [
        { metric: 'http_req_duration', expression: 'p(95)<1600', ok: true },
        { metric: 'http_req_duration', expression: 'p(99)<1000', ok: false },
        { metric: 'http_reqs', expression: 'count>100', ok: iterations > 100 },
        { metric: 'http_req_failed', expression: 'rate<0.01', ok: false },
        { metric: 'checks', expression: 'rate>0.9', ok: checksPassed / (2 * iterations) > 0.9 },
      ],
    },
  };
}

/** k6's percentile of the run's request durations: rank q·(n−1), linear between neighbours. */
export function exactDurationQuantile(run: SyntheticRun, q: number): number {
  const rank = q * (run.iterations - 1);
  const low = run.durationAtRank(Math.floor(rank));
  return low + (run.durationAtRank(Math.ceil(rank)) - low) * (rank - Math.floor(rank));
}

/** The run as a byte stream made lazily, in chunks of about chunkBytes; onChunk is told each one's size as it goes. */
export function syntheticStream(run: SyntheticRun, chunkBytes = 64 * 1024, onChunk: (bytes: number) => void = () => undefined): Readable {
  const lines = run.lines();
  return new Readable({
    read() {
      let text = '';
      for (let step = lines.next(); !step.done; step = lines.next()) {
        text += `${step.value}\n`;
        if (text.length >= chunkBytes) break;
      }
      const chunk = text.length > 0 ? Buffer.from(text) : null;
      onChunk(chunk?.length ?? 0);
      this.push(chunk);
    },
  });
}
