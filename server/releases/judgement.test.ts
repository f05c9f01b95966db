import { describe, expect, it } from 'vitest';
import { compareRuns, judgeRun, type Criteria } from './judgement.ts';
import type { K6Run } from './k6/model.ts';

const criteria: Criteria = { p95Ms: 5000, errorRatePercent: 1, checksPercent: 99, regressionMarginPercent: 10 };

/** A run that meets every default criterion, with one threshold k6 passed. */
function run(overrides: Partial<K6Run> = {}): K6Run {
  return {
    format: 'handle-summary',
    requests: 1000,
    requestRate: 20,
    durationMs: { avg: 200, med: 180, p90: 350, p95: 400, p99: 900, min: 20, max: 2000 },
    failedRate: 0.002,
    checks: [{ name: 'status is 200', passes: 995, fails: 5 }],
    iterations: 1000,
    vusMax: 10,
    testDurationMs: 50_000,
    thresholds: [{ metric: 'http_req_duration', expression: 'p(95)<5000', ok: true }],
    ...overrides,
  };
}

describe('judgeRun', () => {
  it('passes a run that meets every criterion and whose thresholds passed', () => {
    const judged = judgeRun(run(), criteria);
    expect(judged.verdict).toBe('pass');
    expect(judged.criteria.map((c) => [c.name, c.value, c.verdict])).toEqual([['p95_ms', 400, 'pass'], ['error_rate_percent', 0.2, 'pass'], ['checks_percent', 99.5, 'pass']]);
    expect(judged.thresholds).toEqual([{ metric: 'http_req_duration', expression: 'p(95)<5000', ok: true, verdict: 'pass' }]);
    expect(judged.k6_passed).toBeNull();
  });

  it('fails a run with a threshold Mimamori could not judge, giving the reason', () => {
    const judged = judgeRun(run({ thresholds: [{ metric: 'http_req_duration', expression: 'p(95)<5000', ok: true }, { metric: 'http_req_failed', expression: 'p(95)<1', ok: null }] }), criteria);
    expect(judged.verdict).toBe('fail');
    expect(judged.criteria.every((c) => c.verdict === 'pass')).toBe(true);
    expect(judged.thresholds[1]).toEqual({ metric: 'http_req_failed', expression: 'p(95)<1', ok: null, verdict: 'fail', reason: 'could not be judged' });
  });

  it('fails a run k6 itself failed (the machine-readable summary’s results.passed), and passes one it passed', () => {
    expect(judgeRun(run({ format: 'machine-summary', thresholds: [], k6Passed: false }), criteria)).toMatchObject({ verdict: 'fail', k6_passed: false });
    expect(judgeRun(run({ format: 'machine-summary', thresholds: [], k6Passed: true }), criteria)).toMatchObject({ verdict: 'pass', k6_passed: true });
  });

  it('passes checks at exactly the criterion (≥ 99 %), and carries the run’s notes', () => {
    const notes = [{ code: 'submetric_thresholds_unseen' as const, submetrics: ['http_req_duration{scenario:ingest}'] }];
    const judged = judgeRun(run({ checks: [{ name: 'ok', passes: 99, fails: 1 }], notes }), criteria);
    expect(judged.criteria[2]).toMatchObject({ value: 99, verdict: 'pass' });
    expect(judged.notes).toEqual(notes);
  });
});

describe('compareRuns', () => {
  const p95 = (ms: number) => run({ durationMs: { avg: 200, med: 180, p90: 350, p95: ms, p99: 900, min: 20, max: 2000 } });
  const flagged = (current: K6Run, previous: K6Run, margin: number) => Object.fromEntries(compareRuns(current, previous, margin).map((c) => [c.name, c.regression]));

  it('does not flag a change within regression_margin_percent, and flags one beyond it', () => {
    expect(compareRuns(p95(440), p95(400), 10)[0]).toMatchObject({ name: 'p95_ms', current: 440, previous: 400, change_percent: 10, regression: false });
    expect(compareRuns(p95(444), p95(400), 10)[0]).toMatchObject({ change_percent: 11, regression: true });
    // Better is never a regression, however large.
    expect(flagged(p95(100), p95(400), 10).p95_ms).toBe(false);
  });

  it('takes a non-default margin', () => {
    expect(flagged(p95(444), p95(400), 20).p95_ms).toBe(false);
    expect(flagged(p95(484), p95(400), 20).p95_ms).toBe(true);
    expect(flagged(p95(404), p95(400), 0).p95_ms).toBe(true);
  });

  it('flags a request rate that fell beyond the margin, and errors that appeared where there were none', () => {
    expect(flagged(run({ requestRate: 17.9 }), run({ requestRate: 20 }), 10).request_rate).toBe(true);
    expect(flagged(run({ requestRate: 18.5 }), run({ requestRate: 20 }), 10).request_rate).toBe(false);
    expect(compareRuns(run({ failedRate: 0.001 }), run({ failedRate: 0 }), 10)[1]).toMatchObject({ name: 'error_rate_percent', change_percent: null, regression: true });
    expect(compareRuns(run({ durationMs: null }), p95(400), 10)[0]).toMatchObject({ change_percent: null, regression: false });
  });
});
