import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fitsMetricType, judgeThreshold, parseThreshold, thresholdExpressions, type MetricType } from '../server/releases/k6/thresholds.ts';
import { runScript } from './test-support/run-script.ts';
import { PAGE_TEXT, startFakeServer, UPLOAD_TOKEN, type FakeServer } from './test-support/fake-server.ts';

// Each script runs in a worker thread playing a k6 VU (test-support/), its
// requests going to a real server on 127.0.0.1.

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeServer(40);
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

const SELF_ENV = { MIMAMORI_INGEST_TOKEN: 'ingest', MIMAMORI_API_KEY: 'key' };
// The type of each built-in metric the scripts put thresholds on (k6 metrics reference).
const BUILT_IN: Record<string, MetricType> = { http_req_duration: 'trend', http_req_failed: 'rate', checks: 'rate' };

describe('every script\'s options', () => {
  const scripts = { 'target-slo.ts': { TARGET_URL: 'http://127.0.0.1:9/' }, 'mimamori-self.ts': SELF_ENV };
  for (const [script, env] of Object.entries(scripts)) {
    it(`${script}: thresholds k6 accepts on a metric that allows them, p(99) in the summary`, async () => {
      const { options, error } = await runScript(script, env);
      expect(error).toBeNull();
      const { thresholds, summaryTrendStats } = options as { thresholds: Record<string, (string | { threshold: string })[]>; summaryTrendStats: string[] };
      const entries = Object.entries(thresholds);
      expect(entries.length).toBeGreaterThanOrEqual(3);
      for (const [metric, list] of entries) {
        expect(list.length).toBeGreaterThan(0);
        // 'http_req_duration{scenario:ingest}' is a sub-metric of http_req_duration.
        const type = BUILT_IN[metric.replace(/\{.*\}$/, '')];
        expect(type, metric).toBeDefined();
        for (const entry of list) expect(fitsMetricType(parseThreshold(thresholdExpressions(entry)), type!), `${metric}: ${JSON.stringify(entry)}`).toBe(true);
      }
      expect(summaryTrendStats).toContain('p(99)');
      expect(summaryTrendStats).toContain('p(95)');
    });

    it(`${script}: the checks thresholds agree with the release criterion (checks ≥ 99 %) at exactly 99 %`, async () => {
      const { options } = await runScript(script, env);
      const checks = Object.entries((options as { thresholds: Record<string, (string | { threshold: string })[]> }).thresholds).filter(([metric]) => metric.replace(/\{.*\}$/, '') === 'checks');
      expect(checks.length).toBeGreaterThan(0);
      for (const [metric, list] of checks) {
        for (const entry of list) {
          const threshold = parseThreshold(thresholdExpressions(entry));
          expect(judgeThreshold(threshold, { rate: 0.99 }), `${metric}: ${threshold.expression} at 99 %`).toBe(true);
          expect(judgeThreshold(threshold, { rate: 0.9899 }), `${metric}: ${threshold.expression} at 98.99 %`).toBe(false);
        }
      }
    });
  }
});

describe('target-slo.ts', () => {
  const page = (query = '') => `${server.base}/page${query}`;

  it('stops at start with a clear error when TARGET_URL is missing', async () => {
    const outcome = await runScript('target-slo.ts', {}, [{ name: 'default' }]);
    expect(outcome.error).toMatch(/^TARGET_URL is required: the address of the page to load/);
    expect(outcome.checks).toEqual([]);
    expect(server.requests).toEqual([]);
  });

  it('ramps by the default stages, or by STAGES, and tags the environment', async () => {
    const plain = await runScript('target-slo.ts', { TARGET_URL: page() });
    expect(plain.options).toMatchObject({ stages: [{ duration: '30s', target: 10 }, { duration: '1m', target: 10 }, { duration: '30s', target: 0 }] });
    expect(plain.options).not.toHaveProperty('tags');
    const staged = await runScript('target-slo.ts', { TARGET_URL: page(), STAGES: '10s:5, 1m30s:20,5s:0', ENVIRONMENT: 'staging' });
    expect(staged.options).toMatchObject({ stages: [{ duration: '10s', target: 5 }, { duration: '1m30s', target: 20 }, { duration: '5s', target: 0 }], tags: { environment: 'staging' } });
  });

  it('refuses STAGES it cannot read, naming the entry', async () => {
    const { error } = await runScript('target-slo.ts', { TARGET_URL: page(), STAGES: '30s:10,ten:5' });
    expect(error).toMatch(/STAGES entry 2 "ten:5" is not <duration>:<target VUs>/);
  });

  it('loads the page and passes both checks when it answers 200 with the keyword', async () => {
    const outcome = await runScript('target-slo.ts', { TARGET_URL: page(), KEYWORD: 'all systems normal' }, [{ name: 'default' }, { name: 'default' }]);
    expect(outcome.error).toBeNull();
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /page', 'GET /page']);
    expect(outcome.checks).toEqual([
      { name: 'status is 200', ok: true },
      { name: 'body contains "all systems normal"', ok: true },
      { name: 'status is 200', ok: true },
      { name: 'body contains "all systems normal"', ok: true },
    ]);
    expect(outcome.sleeps).toEqual([1, 1]);
  });

  it('fails the keyword check when the page lacks it', async () => {
    const outcome = await runScript('target-slo.ts', { TARGET_URL: page(), KEYWORD: 'maintenance' }, [{ name: 'default' }]);
    expect(outcome.checks).toEqual([{ name: 'status is 200', ok: true }, { name: 'body contains "maintenance"', ok: false }]);
  });

  it('fails the status check on a 500, even with the keyword in the body', async () => {
    const outcome = await runScript('target-slo.ts', { TARGET_URL: page('?status=500'), KEYWORD: PAGE_TEXT }, [{ name: 'default' }]);
    expect(server.requests.map((r) => r.url)).toEqual(['/page?status=500']);
    expect(outcome.checks).toEqual([{ name: 'status is 200', ok: false }, { name: `body contains ${JSON.stringify(PAGE_TEXT)}`, ok: true }]);
  });

  it('checks only the status when no KEYWORD is given', async () => {
    const outcome = await runScript('target-slo.ts', { TARGET_URL: page() }, [{ name: 'default' }]);
    expect(outcome.checks).toEqual([{ name: 'status is 200', ok: true }]);
  });
});

describe('handleSummary', () => {
  const data = { metrics: { http_req_duration: { type: 'trend', contains: 'time', values: { avg: 12.5, 'p(95)': 20.1, 'p(99)': 31 } } }, root_group: { name: '', path: '', groups: [], checks: [] }, state: { testRunDurationMs: 1000 } };

  for (const script of ['target-slo.ts', 'mimamori-self.ts']) {
    it(`${script} posts the data object unattached to /api/v1/loadtests?environment=… with the bearer token (an ingest token cannot attach)`, async () => {
      // A MIMAMORI_RELEASE left in the environment is not sent: with an ingest token Mimamori (and the fake) answers 403 to ?release=.
      const env = { TARGET_URL: 'http://127.0.0.1:9/', ...SELF_ENV, MIMAMORI_URL: `${server.base}/`, MIMAMORI_INGEST_TOKEN: UPLOAD_TOKEN, MIMAMORI_RELEASE: 'REL-20261130-a1b2c3', ENVIRONMENT: 'staging' };
      const outcome = await runScript(script, env, [{ name: 'handleSummary', arg: data }]);
      expect(outcome.error).toBeNull();
      expect(server.requests).toHaveLength(1);
      const [upload] = server.requests;
      expect(upload).toMatchObject({ method: 'POST', url: '/api/v1/loadtests?environment=staging' });
      expect(upload!.headers).toMatchObject({ authorization: `Bearer ${UPLOAD_TOKEN}`, 'content-type': 'application/json' });
      expect(JSON.parse(upload!.body)).toEqual(data);
      expect(outcome.returns).toEqual([{ stdout: '[textSummary of 1 metrics]\n\nMimamori: stored as RUN-20261130-abc123 (verdict pass); attach it to its release on the release page\n' }]);
    });
  }

  it('posts nothing and prints only the text report without MIMAMORI_URL or the token', async () => {
    for (const env of [{ MIMAMORI_INGEST_TOKEN: UPLOAD_TOKEN }, { MIMAMORI_URL: server.base }] as Record<string, string>[]) {
      const outcome = await runScript('target-slo.ts', { TARGET_URL: 'http://127.0.0.1:9/', ...env }, [{ name: 'handleSummary', arg: data }]);
      expect(outcome.returns).toEqual([{ stdout: '[textSummary of 1 metrics]' }]);
    }
    expect(server.requests).toEqual([]);
  });

  it('says so under the report when Mimamori refuses the upload', async () => {
    const env = { TARGET_URL: 'http://127.0.0.1:9/', MIMAMORI_URL: server.base, MIMAMORI_INGEST_TOKEN: 'revoked' };
    const outcome = await runScript('target-slo.ts', env, [{ name: 'handleSummary', arg: data }]);
    expect(server.requests.map((r) => r.url)).toEqual(['/api/v1/loadtests']);
    expect(outcome.returns).toEqual([{ stdout: '[textSummary of 1 metrics]\n\nMimamori did not store the summary: 401 a valid ingest token is required\n' }]);
  });
});
