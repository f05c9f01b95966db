import { describe, expect, it } from 'vitest';
import { K6FormatError } from './model.ts';
import { readSummary } from './summary.ts';

// `k6 run --summary-export=x.json` as k6 v1/v2 writes it (internal/js/summary-wrapper.js,
// oldJSONSummary): statistics at the top of each metric, a rate's fraction as `value`,
// thresholds true when CROSSED, checks and groups keyed by name, no state.
const summaryExport = () => ({
  root_group: {
    name: '',
    path: '',
    id: 'd41d8cd98f00b204e9800998ecf8427e',
    groups: {
      login: {
        name: 'login',
        path: '::login',
        id: 'b0470d5e2b5bd6e0e2f6ebb4a4e1f9b8',
        groups: {},
        checks: { 'status is 200': { name: 'status is 200', path: '::login::status is 200', id: 'a1', passes: 400, fails: 10 } },
      },
    },
    checks: {
      'status is 200': { name: 'status is 200', path: '::status is 200', id: 'c1', passes: 4000, fails: 90 },
      'body has token': { name: 'body has token', path: '::body has token', id: 'c2', passes: 4500, fails: 0 },
    },
  },
  metrics: {
    http_req_duration: { avg: 120.5, min: 3.25, med: 98.1, max: 2400, 'p(90)': 210.4, 'p(95)': 310.9, thresholds: { 'p(95)<5000': false } },
    'http_req_duration{expected_response:true}': { avg: 119, min: 3.25, med: 97, max: 2400, 'p(90)': 205, 'p(95)': 300 },
    http_req_failed: { passes: 45, fails: 4455, value: 0.01, thresholds: { 'rate<0.005': true } },
    http_reqs: { count: 4500, rate: 75 },
    iterations: { count: 1500, rate: 25 },
    vus: { value: 1, min: 1, max: 20 },
    vus_max: { value: 20, min: 20, max: 20 },
    checks: { passes: 8900, fails: 100, value: 0.9888888888888889 },
  },
});

// handleSummary(data), JSON.stringify(data) (internal/js/summary.go, summarizeMetricsToObject).
const handleSummary = () => ({
  root_group: {
    name: '',
    path: '',
    id: 'd41d8cd98f00b204e9800998ecf8427e',
    groups: [{ name: 'api', path: '::api', id: 'g1', groups: [], checks: [{ name: 'is 200', path: '::api::is 200', id: 'k1', passes: 90, fails: 10 }] }],
    checks: [{ name: 'is 200', path: '::is 200', id: 'k2', passes: 10, fails: 0 }],
  },
  options: { summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'], summaryTimeUnit: '', noColor: false },
  state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 30898.965069 },
  metrics: {
    http_req_duration: {
      type: 'trend',
      contains: 'time',
      values: { avg: 268.3, min: 135.1, med: 250, max: 846.2, 'p(90)': 400, 'p(95)': 600.5, 'p(99)': 800.25 },
      thresholds: { 'p(95)<500': { ok: false }, 'avg<1000': { ok: true } },
    },
    http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0.05, passes: 2, fails: 38 } },
    http_reqs: { type: 'counter', contains: 'default', values: { count: 40, rate: 1.294567 } },
    iterations: { type: 'counter', contains: 'default', values: { count: 20, rate: 0.647 } },
    vus: { type: 'gauge', contains: 'default', values: { value: 1, min: 1, max: 5 } },
    vus_max: { type: 'gauge', contains: 'default', values: { value: 5, min: 5, max: 5 } },
  },
  setup_data: { token: 'x' },
});

function refusal(doc: unknown): K6FormatError {
  try {
    readSummary(doc);
  } catch (error) {
    expect(error).toBeInstanceOf(K6FormatError);
    return error as K6FormatError;
  }
  throw new Error('accepted');
}

describe('--summary-export', () => {
  it('reads every figure, a threshold false as passed and true as crossed', () => {
    const run = readSummary(summaryExport());
    expect(run).toEqual({
      format: 'summary-export',
      requests: 4500,
      requestRate: 75,
      durationMs: { avg: 120.5, med: 98.1, p90: 210.4, p95: 310.9, p99: null, min: 3.25, max: 2400 },
      failedRate: 0.01,
      checks: [
        { name: 'status is 200', passes: 4400, fails: 100 },
        { name: 'body has token', passes: 4500, fails: 0 },
      ],
      iterations: 1500,
      vusMax: 20,
      // No state in a summary export: 4500 requests at 75/s is a 60 s run.
      testDurationMs: 60_000,
      thresholds: [
        { metric: 'http_req_duration', expression: 'p(95)<5000', ok: true },
        { metric: 'http_req_failed', expression: 'rate<0.005', ok: false },
      ],
    });
  });

  it('takes p(99) when summaryTrendStats asked for it, and checks as a list', () => {
    const doc = summaryExport();
    (doc.metrics.http_req_duration as Record<string, unknown>)['p(99)'] = 900;
    (doc.root_group as Record<string, unknown>).checks = [{ name: 'ok', path: '::ok', id: 'x', passes: 3, fails: 1 }];
    (doc.root_group as Record<string, unknown>).groups = [];
    const run = readSummary(doc);
    expect(run.durationMs?.p99).toBe(900);
    expect(run.checks).toEqual([{ name: 'ok', passes: 3, fails: 1 }]);
  });

  it('leaves out what the file does not carry', () => {
    const run = readSummary({ metrics: { vus: { value: 2, min: 1, max: 3 } }, root_group: { name: '', path: '', id: 'x', groups: {}, checks: {} } });
    expect(run).toMatchObject({ requests: null, requestRate: null, durationMs: null, failedRate: null, iterations: null, vusMax: 3, testDurationMs: null, checks: [], thresholds: [] });
  });
});

describe('handleSummary data', () => {
  it('reads every figure and { ok } as it is', () => {
    const run = readSummary(handleSummary());
    expect(run).toEqual({
      format: 'handle-summary',
      requests: 40,
      requestRate: 1.294567,
      durationMs: { avg: 268.3, med: 250, p90: 400, p95: 600.5, p99: 800.25, min: 135.1, max: 846.2 },
      failedRate: 0.05,
      checks: [
        { name: 'is 200', passes: 100, fails: 10 },
      ],
      iterations: 20,
      vusMax: 5,
      testDurationMs: 30898.965069,
      thresholds: [
        { metric: 'http_req_duration', expression: 'p(95)<500', ok: false },
        { metric: 'http_req_duration', expression: 'avg<1000', ok: true },
      ],
    });
  });

  it('takes a statistic k6 wrote as null (no figure in JSON) as absent', () => {
    const doc = handleSummary();
    (doc.metrics.http_reqs.values as Record<string, unknown>).rate = null;
    const run = readSummary(doc);
    expect(run.requestRate).toBeCloseTo((1000 * 40) / 30898.965069, 9);
  });
});

describe('the machine-readable summary (--new-machine-readable-summary)', () => {
  it('reads metrics from the list, checks in order and the duration in seconds', () => {
    const run = readSummary({
      version: '1.0.0',
      metadata: { generatedAt: '2026-01-15T10:30:45.123Z', k6Version: '2.0.0' },
      config: { execution: 'local', script: 'test.js', duration: 60 },
      results: {
        passed: true,
        metrics: [
          { name: 'http_reqs', type: 'counter', contains: 'default', category: 'http', values: { count: 1500, rate: 25 } },
          { name: 'http_req_duration', type: 'trend', contains: 'time', category: 'http', values: { avg: 245.67, min: 123.45, med: 234.56, max: 456.78, 'p(90)': 387.65, 'p(95)': 421.32, 'p(99)': 445.12, count: 1500 } },
          { name: 'http_req_failed', type: 'rate', contains: 'default', category: 'http', values: { rate: 0.02, matches: 30, total: 1500 } },
          { name: 'vus_max', type: 'gauge', contains: 'default', category: 'execution', values: { value: 10, min: 10, max: 10 } },
        ],
        checks: { metrics: [], results: [{ name: 'status is 200', passes: 1470, fails: 30 }] },
      },
    });
    expect(run).toMatchObject({ format: 'machine-summary', requests: 1500, requestRate: 25, failedRate: 0.02, vusMax: 10, testDurationMs: 60_000, thresholds: [], k6Passed: true });
    expect(run.durationMs).toEqual({ avg: 245.67, med: 234.56, p90: 387.65, p95: 421.32, p99: 445.12, min: 123.45, max: 456.78 });
    expect(run.checks).toEqual([{ name: 'status is 200', passes: 1470, fails: 30 }]);
  });

  it('keeps k6’s own verdict (results.passed): a run k6 failed is failed, though it carries no per-threshold results', () => {
    const failed = readSummary({ version: '1.0.0', metadata: { generatedAt: '2026-01-15T10:30:45.123Z', k6Version: '2.0.0' }, config: { execution: 'local', duration: 60 }, results: { passed: false, metrics: [{ name: 'http_req_duration', type: 'trend', contains: 'time', category: 'http', values: { avg: 245, min: 123, max: 456, 'p(95)': 421, count: 10 } }] } });
    expect(failed).toMatchObject({ format: 'machine-summary', k6Passed: false, thresholds: [] });
    expect(readSummary({ results: { metrics: [] } }).k6Passed).toBeNull();
    expect(refusal({ results: { passed: 'yes', metrics: [] } }).field).toBe('results.passed');
  });

  it('refuses a rate with more matches than events', () => {
    const e = refusal({ results: { metrics: [{ name: 'r', type: 'rate', values: { rate: 1, matches: 3, total: 2 } }] } });
    expect(e.field).toBe('results.metrics[0].values.matches');
  });
});

describe('refusing what is not a k6 summary', () => {
  it('names the field that is wrong', () => {
    const cases: [unknown, string][] = [
      [[1, 2], 'body'],
      ['summary', 'body'],
      [{ root_group: {} }, 'metrics'],
      [{ metrics: [] }, 'metrics'],
      [{ metrics: { http_reqs: 'many' } }, 'metrics.http_reqs'],
    ];
    for (const [doc, field] of cases) expect(refusal(doc).field).toBe(field);
  });

  it('refuses a threshold that is neither true/false (export) nor { ok } (handleSummary)', () => {
    const exported = summaryExport();
    exported.metrics.http_req_duration.thresholds = { 'p(95)<5000': 'passed' } as never;
    expect(refusal(exported).field).toBe('metrics.http_req_duration.thresholds.p(95)<5000');
    const handled = handleSummary();
    handled.metrics.http_req_duration.thresholds = { 'p(95)<500': { ok: 'no' } } as never;
    expect(refusal(handled).field).toBe('metrics.http_req_duration.thresholds.p(95)<500');
    const bare = handleSummary();
    bare.metrics.http_req_duration.thresholds = { 'p(95)<500': false } as never;
    expect(refusal(bare).message).toContain('"ok"');
  });

  it('refuses negative counts and statistics that are not numbers', () => {
    const negative = summaryExport();
    negative.metrics.http_reqs.count = -1;
    expect(refusal(negative).field).toBe('metrics.http_reqs.count');
    const text = handleSummary();
    (text.metrics.http_req_duration.values as Record<string, unknown>)['p(95)'] = '600ms';
    expect(refusal(text).field).toBe('metrics.http_req_duration.values.p(95)');
    const check = summaryExport();
    check.root_group.checks['status is 200'].fails = -3;
    expect(refusal(check).field).toBe('root_group.checks.status is 200.fails');
    const nested = handleSummary();
    nested.root_group.groups[0]!.checks[0]!.passes = 'ninety' as never;
    expect(refusal(nested).field).toBe('root_group.groups[0].checks[0].passes');
    const state = handleSummary();
    state.state.testRunDurationMs = -5;
    expect(refusal(state).field).toBe('state.testRunDurationMs');
  });

  it('refuses a handleSummary metric without values, and a duration trend without avg/min/max', () => {
    const doc = handleSummary();
    (doc.metrics as Record<string, unknown>).vus = { type: 'gauge', contains: 'default' };
    expect(refusal(doc).field).toBe('metrics.vus.values');
    const trimmed = handleSummary();
    delete (trimmed.metrics.http_req_duration.values as Record<string, unknown>).avg;
    const e = refusal(trimmed);
    expect(e.field).toBe('metrics.http_req_duration.avg');
    expect(e.message).toContain('summaryTrendStats');
  });

  it('refuses groups that are neither a list nor an object', () => {
    const doc = summaryExport();
    (doc.root_group as Record<string, unknown>).groups = 'login';
    expect(refusal(doc).field).toBe('root_group.groups');
  });
});
