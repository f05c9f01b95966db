import type { K6Note, K6Run } from './k6/model.ts';
import { round } from '../reports/arith.ts';

export interface Criteria {
  p95Ms: number;
  errorRatePercent: number;
  checksPercent: number;
  regressionMarginPercent: number;
}

export type Verdict = 'pass' | 'fail';

export interface Criterion {
  name: 'p95_ms' | 'error_rate_percent' | 'checks_percent';
  value: number | null;
  limit: number;
  /** A figure the run does not have fails: a release is not judged on missing evidence. */
  verdict: Verdict;
}

export interface JudgedThreshold {
  metric: string;
  expression: string;
  /** As the file (or, for --out json, Mimamori) gave it: null when it could not be judged. */
  ok: boolean | null;
  /** A threshold that could not be judged fails: a release is not passed on evidence nobody checked. */
  verdict: Verdict;
  reason?: 'could not be judged';
}

export interface Judgement {
  verdict: Verdict;
  criteria: Criterion[];
  /** The k6 thresholds the script itself declared, as k6 (or, for --out json, Mimamori) judged them. */
  thresholds: JudgedThreshold[];
  /** k6's own verdict on the whole run, where the file carries one (the machine-readable summary); null otherwise. */
  k6_passed: boolean | null;
  notes: K6Note[];
}

/**
 * The test-result judgement (item 11): the run against the configured
 * criteria (p95 under 5 s, errors under 1 %, checks at least 99 % by
 * default). The run fails when any criterion failed, when any of its own
 * k6 thresholds failed or could not be judged, or when k6 itself said it
 * failed.
 */
export function judgeRun(run: K6Run, criteria: Criteria): Judgement {
  const checks = run.checks.reduce((sum, c) => ({ passes: sum.passes + c.passes, all: sum.all + c.passes + c.fails }), { passes: 0, all: 0 });
  const p95 = run.durationMs?.p95 ?? null;
  const errors = run.failedRate === null ? null : round(run.failedRate * 100, 3);
  const checksPercent = checks.all === 0 ? null : round((100 * checks.passes) / checks.all, 3);
  const list: Criterion[] = [
    { name: 'p95_ms', value: p95 === null ? null : round(p95, 1), limit: criteria.p95Ms, verdict: p95 !== null && p95 < criteria.p95Ms ? 'pass' : 'fail' },
    { name: 'error_rate_percent', value: errors, limit: criteria.errorRatePercent, verdict: errors !== null && errors < criteria.errorRatePercent ? 'pass' : 'fail' },
    { name: 'checks_percent', value: checksPercent, limit: criteria.checksPercent, verdict: checksPercent !== null && checksPercent >= criteria.checksPercent ? 'pass' : 'fail' },
  ];
  const thresholds = run.thresholds.map((t): JudgedThreshold => (t.ok === null ? { ...t, verdict: 'fail', reason: 'could not be judged' } : { ...t, verdict: t.ok ? 'pass' : 'fail' }));
  const k6Passed = run.k6Passed ?? null;
  const passed = list.every((c) => c.verdict === 'pass') && thresholds.every((t) => t.verdict === 'pass') && k6Passed !== false;
  return { verdict: passed ? 'pass' : 'fail', criteria: list, thresholds, k6_passed: k6Passed, notes: run.notes ?? [] };
}

export interface Change {
  name: 'p95_ms' | 'error_rate_percent' | 'request_rate';
  current: number | null;
  previous: number | null;
  /** Relative change in percent; positive is worse for p95 and errors, better for the request rate. */
  change_percent: number | null;
  regression: boolean;
}

/** This run against the previous release's last run in the same environment: regressions beyond the margin are flagged. */
export function compareRuns(current: K6Run, previous: K6Run, marginPercent: number): Change[] {
  const change = (name: Change['name'], now: number | null, before: number | null, worseWhenHigher: boolean): Change => {
    if (now === null || before === null) return { name, current: now, previous: before, change_percent: null, regression: false };
    const percent = before === 0 ? (now === 0 ? 0 : null) : round((100 * (now - before)) / before, 1);
    const worse = percent === null ? (worseWhenHigher ? now > before : now < before) : worseWhenHigher ? percent > marginPercent : percent < -marginPercent;
    return { name, current: now, previous: before, change_percent: percent, regression: worse };
  };
  return [
    change('p95_ms', current.durationMs?.p95 ?? null, previous.durationMs?.p95 ?? null, true),
    change('error_rate_percent', current.failedRate === null ? null : current.failedRate * 100, previous.failedRate === null ? null : previous.failedRate * 100, true),
    change('request_rate', current.requestRate, previous.requestRate, false),
  ];
}
