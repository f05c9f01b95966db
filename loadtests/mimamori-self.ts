// Load against Mimamori itself, as its own clients load it: agents posting
// NDJSON log batches to the ingest door, wall screens reading the wall
// document. Two scenarios side by side, each with its own thresholds.
//   k6 run -e MIMAMORI_URL=http://127.0.0.1:8080 -e MIMAMORI_INGEST_TOKEN=… -e MIMAMORI_API_KEY=… loadtests/mimamori-self.ts
import http from 'k6/http';
import type { RefinedResponse } from 'k6/http';
import { check, sleep } from 'k6';
import type { Options } from 'k6/options';
import { durationEnv, positiveInt, requiredEnv } from './env.ts';
import { summaryTrendStats } from './thresholds.ts';

export { handleSummary } from './summary.ts';

const BASE = (__ENV.MIMAMORI_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const INGEST_TOKEN = requiredEnv('MIMAMORI_INGEST_TOKEN', 'a token that may ingest (mimamori token add --ingest k6, or the server\'s <data>/ingest-token)');
const API_KEY = requiredEnv('MIMAMORI_API_KEY', 'a credential that may read the wall (a display or personal token, or an API key from the YAML)');
/** The environment the log lines are stored under; it must be one Mimamori is configured with. */
const ENVIRONMENT = __ENV.ENVIRONMENT || 'integration';
/** The service name on every line, so the load test's lines can be found (and told from real ones). */
export const SERVICE = 'k6-loadtest';
const BATCH_LINES = positiveInt('BATCH_LINES', 100);
const DURATION = durationEnv('DURATION', '1m');

export const options: Options = {
  scenarios: {
    // Batches arrive at a fixed rate whatever the answer time, as agents send them.
    ingest: { executor: 'constant-arrival-rate', exec: 'ingest', rate: positiveInt('INGEST_RATE', 5), timeUnit: '1s', duration: DURATION, preAllocatedVUs: 2, maxVUs: 50 },
    wall: { executor: 'constant-vus', exec: 'wall', vus: positiveInt('WALL_VUS', 5), duration: DURATION },
  },
  thresholds: {
    // Ingest answers once the rows are durable on disk.
    'http_req_duration{scenario:ingest}': ['p(95)<1000'],
    'http_req_failed{scenario:ingest}': ['rate<0.01'],
    'checks{scenario:ingest}': ['rate>=0.99'],
    // The wall is served from a live document rebuilt at most once a second.
    'http_req_duration{scenario:wall}': ['p(95)<500'],
    'http_req_failed{scenario:wall}': ['rate<0.01'],
    'checks{scenario:wall}': ['rate>=0.99'],
  },
  summaryTrendStats,
};

type Answer = RefinedResponse<'text'>;

function json(r: Answer): Record<string, unknown> | null {
  try {
    return JSON.parse(typeof r.body === 'string' ? r.body : '') as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** One batch of log lines, as the agent sends them. */
export function logBatch(at: number, lines: number): string {
  const rows: string[] = [];
  for (let i = 1; i <= lines; i++) {
    const message = `k6 load test: line ${i} of ${lines}, vu ${__VU} iteration ${__ITER}`;
    rows.push(JSON.stringify({ timestamp: new Date(at).toISOString(), environment: ENVIRONMENT, host: `k6-vu-${__VU}`, service: SERVICE, level: 'info', message }));
  }
  return `${rows.join('\n')}\n`;
}

export function ingest(): void {
  const res = http.post(`${BASE}/api/v1/ingest/logs`, logBatch(Date.now(), BATCH_LINES), {
    headers: { Authorization: `Bearer ${INGEST_TOKEN}`, 'Content-Type': 'application/x-ndjson' },
    tags: { name: 'ingest logs' },
    responseType: 'text',
  });
  check(res, {
    'ingest answered 200': (r) => r.status === 200,
    'ingest accepted the whole batch': (r) => json(r)?.accepted === BATCH_LINES,
  });
}

export function wall(): void {
  const res = http.get(`${BASE}/api/v1/wall`, { headers: { Authorization: `Bearer ${API_KEY}` }, tags: { name: 'wall' }, responseType: 'text' });
  check(res, {
    'wall answered 200': (r) => r.status === 200,
    'wall is the wall document': (r) => Array.isArray(json(r)?.targets),
  });
  // A wall screen reads the document about once a second.
  sleep(1);
}

/** One of each: what `k6 run --iterations 1` (which replaces the scenarios) runs as a smoke test. */
export default function (): void {
  ingest();
  wall();
}
