import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { openTestRuntime, type TestRuntime } from '../test/helpers/runtime.ts';
import { runScript } from './test-support/run-script.ts';

// mimamori-self.ts against the real Mimamori app (real chDB in a temporary
// directory) listening on 127.0.0.1: the ingest path, headers and NDJSON
// body, and the wall's, are right when the real server takes them.

let rt: TestRuntime;
let base: string;
beforeAll(async () => {
  rt = await openTestRuntime();
  await rt.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(rt.app.server.address() as AddressInfo).port}`;
});
afterAll(() => rt.close());

const bearer = (authorization: string) => authorization.replace(/^Bearer /, '');
const env = (overrides: Record<string, string> = {}) => ({
  MIMAMORI_URL: base,
  MIMAMORI_INGEST_TOKEN: rt.token,
  MIMAMORI_API_KEY: bearer(rt.admin.authorization),
  ENVIRONMENT: 'staging',
  BATCH_LINES: '20',
  ...overrides,
});

async function storedLines(environment: string): Promise<{ total: number; rows: Record<string, unknown>[] }> {
  await rt.writer.flush();
  const res = await fetch(`${base}/api/v1/logs?environment=${environment}&service=k6-loadtest&from=2000-01-01T00:00:00Z&limit=100`, { headers: rt.admin });
  expect(res.status).toBe(200);
  return (await res.json()) as { total: number; rows: Record<string, unknown>[] };
}

describe('mimamori-self.ts against Mimamori', () => {
  it('ingests NDJSON batches the server accepts and stores, and reads the wall', async () => {
    const outcome = await runScript('mimamori-self.ts', env(), [{ name: 'default' }, { name: 'default' }, { name: 'default' }]);
    expect(outcome.error).toBeNull();
    expect(outcome.requests.map((r) => `${r.method} ${r.url}`)).toEqual(Array(3).fill([`POST ${base}/api/v1/ingest/logs`, `GET ${base}/api/v1/wall`]).flat());
    for (const r of outcome.requests) {
      if (r.method === 'GET') {
        expect(r.headers).toEqual({ Authorization: rt.admin.authorization });
        continue;
      }
      expect(r.headers).toEqual({ Authorization: `Bearer ${rt.token}`, 'Content-Type': 'application/x-ndjson' });
      // NDJSON: one JSON record a line, each line ended; the fields the README's ingest section names.
      expect(r.body).toMatch(/\n$/);
      const lines = r.body!.slice(0, -1).split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines).toHaveLength(20);
      for (const line of lines) expect(Object.keys(line).sort()).toEqual(['environment', 'host', 'level', 'message', 'service', 'timestamp']);
    }
    expect(outcome.checks.filter((c) => !c.ok)).toEqual([]);
    expect(outcome.checks.map((c) => c.name)).toEqual(Array(3).fill(['ingest answered 200', 'ingest accepted the whole batch', 'wall answered 200', 'wall is the wall document']).flat());
    const stored = await storedLines('staging');
    expect(stored.total).toBe(60);
    expect(stored.rows[0]).toMatchObject({ environment: 'staging', host: 'k6-vu-1', service: 'k6-loadtest', level: 'info' });
    const messages = stored.rows.map((r) => r.message);
    expect(messages).toContain('k6 load test: line 20 of 20, vu 1 iteration 2');
    expect(messages).toContain('k6 load test: line 1 of 20, vu 1 iteration 0');
    expect(Date.now() - Date.parse(String(stored.rows[0]!.timestamp))).toBeLessThan(60_000);
  });

  it('fails the ingest checks, and stores nothing, with a token Mimamori does not know', async () => {
    const outcome = await runScript('mimamori-self.ts', env({ MIMAMORI_INGEST_TOKEN: 'not-a-token', ENVIRONMENT: 'integration' }), [{ name: 'ingest' }]);
    expect(outcome.checks).toEqual([{ name: 'ingest answered 200', ok: false }, { name: 'ingest accepted the whole batch', ok: false }]);
    expect((await storedLines('integration')).total).toBe(0);
  });

  it('fails the ingest checks for an environment Mimamori is not configured with', async () => {
    const outcome = await runScript('mimamori-self.ts', env({ ENVIRONMENT: 'moon' }), [{ name: 'ingest' }]);
    expect(outcome.checks.map((c) => c.ok)).toEqual([false, false]);
  });

  it('fails the wall checks with a key Mimamori does not know', async () => {
    const outcome = await runScript('mimamori-self.ts', env({ MIMAMORI_API_KEY: 'not-a-key' }), [{ name: 'wall' }]);
    expect(outcome.checks).toEqual([{ name: 'wall answered 200', ok: false }, { name: 'wall is the wall document', ok: false }]);
  });

  it('stops at start with a clear error when a credential is missing', async () => {
    const { MIMAMORI_API_KEY: _key, ...withoutKey } = env();
    expect((await runScript('mimamori-self.ts', withoutKey)).error).toMatch(/^MIMAMORI_API_KEY is required/);
    const { MIMAMORI_INGEST_TOKEN: _token, ...withoutToken } = env();
    expect((await runScript('mimamori-self.ts', withoutToken)).error).toMatch(/^MIMAMORI_INGEST_TOKEN is required/);
  });

  it('hands the summary to Mimamori, which stores and judges it, unattached even with MIMAMORI_RELEASE set (an ingest token cannot attach)', async () => {
    // A handleSummary data object as k6 passes it (abridged).
    const data = {
      root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: [], checks: [{ name: 'ingest answered 200', path: '::ingest answered 200', id: 'c1', passes: 300, fails: 0 }] },
      options: { summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'], summaryTimeUnit: '', noColor: false },
      state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 60_000 },
      metrics: {
        http_req_duration: { type: 'trend', contains: 'time', values: { avg: 35, min: 4, med: 30, max: 410, 'p(90)': 60, 'p(95)': 80, 'p(99)': 150 }, thresholds: { 'p(95)<5000': { ok: true } } },
        http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0, passes: 0, fails: 300 } },
        http_reqs: { type: 'counter', contains: 'default', values: { count: 300, rate: 5 } },
      },
    };
    const made = await fetch(`${base}/api/v1/releases`, { method: 'POST', headers: { ...rt.admin, 'content-type': 'application/json' }, body: JSON.stringify({ environment: 'integration', version: 'k6-self-1', summary: 'load test' }) });
    const release = ((await made.json()) as { id: string }).id;
    const outcome = await runScript('mimamori-self.ts', env({ ENVIRONMENT: 'integration', MIMAMORI_RELEASE: release }), [{ name: 'handleSummary', arg: data }]);
    const stdout = (outcome.returns[0] as { stdout: string }).stdout;
    expect(stdout).toMatch(/\n\nMimamori: stored as (RUN-\S+) \(verdict pass\); attach it to its release on the release page\n$/);
    const id = /stored as (RUN-\S+)/.exec(stdout)![1];
    const listed = (await (await fetch(`${base}/api/v1/loadtests`, { headers: rt.admin })).json()) as { runs: { id: string; environment: string; release: string | null }[] };
    expect(listed.runs.find((r) => r.id === id)).toMatchObject({ environment: 'integration', release: null });
  });

  it('runs two scenarios, ingest and wall, over DURATION', async () => {
    const { options } = await runScript('mimamori-self.ts', env({ DURATION: '30s', INGEST_RATE: '20', WALL_VUS: '3' }));
    expect(options).toMatchObject({
      scenarios: {
        ingest: { executor: 'constant-arrival-rate', exec: 'ingest', rate: 20, timeUnit: '1s', duration: '30s' },
        wall: { executor: 'constant-vus', exec: 'wall', vus: 3, duration: '30s' },
      },
    });
    expect(Object.keys((options as { thresholds: object }).thresholds).sort()).toEqual([
      'checks{scenario:ingest}',
      'checks{scenario:wall}',
      'http_req_duration{scenario:ingest}',
      'http_req_duration{scenario:wall}',
      'http_req_failed{scenario:ingest}',
      'http_req_failed{scenario:wall}',
    ]);
    expect((await runScript('mimamori-self.ts', env({ DURATION: 'soon' }))).error).toMatch(/DURATION must be a k6 duration/);
  });
});
