// The parts the summary formats share: checking fields (errors name their
// path) and turning a metric map into a K6Run.

import { K6FormatError, type K6Run } from './model.ts';

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keys whose value is a number of events: never negative. */
const COUNT_KEYS = new Set(['count', 'passes', 'fails', 'matches', 'total']);

/** One metric's statistics, whatever format they came in. */
export interface SummaryMetric {
  stats: Record<string, number>;
  thresholds: { expression: string; ok: boolean }[];
}

/**
 * A metric's statistics at `path`: each a finite number or null (k6 writes
 * null where JSON cannot carry the figure, e.g. a rate over no time; it is
 * left out). Anything else, or a negative count, is refused.
 */
export function readStats(raw: unknown, path: string, skip: ReadonlySet<string> = new Set()): Record<string, number> {
  if (!isObject(raw)) throw new K6FormatError(`${path} is not an object`, path);
  const stats: Record<string, number> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (skip.has(key) || value === null) continue;
    const field = `${path}.${key}`;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new K6FormatError(`${field} is not a number`, field);
    if (value < 0 && COUNT_KEYS.has(key)) throw new K6FormatError(`${field} is negative`, field);
    stats[key] = value;
  }
  return stats;
}

/** A non-negative number at `path`, or undefined when absent or null. */
export function optionalCount(raw: unknown, path: string): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'number' || !Number.isFinite(raw)) throw new K6FormatError(`${path} is not a number`, path);
  if (raw < 0) throw new K6FormatError(`${path} is negative`, path);
  return raw;
}

export function requiredCount(raw: unknown, path: string): number {
  const value = optionalCount(raw, path);
  if (value === undefined) throw new K6FormatError(`${path} is missing`, path);
  return value;
}

/** Check counts by name, in first-seen order; a name in several groups is summed. */
export class CheckTally {
  private readonly byName = new Map<string, { name: string; passes: number; fails: number }>();

  add(name: string, passes: number, fails: number): void {
    const tally = this.byName.get(name);
    if (tally) {
      tally.passes += passes;
      tally.fails += fails;
    } else this.byName.set(name, { name, passes, fails });
  }

  get size(): number {
    return this.byName.size;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  list(): K6Run['checks'] {
    return [...this.byName.values()];
  }
}

function trendOf(metric: SummaryMetric | undefined): K6Run['durationMs'] {
  if (!metric) return null;
  const s = metric.stats;
  // k6 writes only the summaryTrendStats asked for; without these three the model has no figure to give.
  for (const key of ['avg', 'min', 'max'] as const) {
    if (s[key] === undefined) throw new K6FormatError(`http_req_duration has no "${key}" (add it to summaryTrendStats)`, `metrics.http_req_duration.${key}`);
  }
  return { avg: s.avg!, med: s.med ?? s['p(50)'] ?? null, p90: s['p(90)'] ?? null, p95: s['p(95)'] ?? null, p99: s['p(99)'] ?? null, min: s.min!, max: s.max! };
}

/** A rate metric's fraction: `rate` (handleSummary), `value` (--summary-export), or passes over all. */
function fractionOf(metric: SummaryMetric | undefined): number | null {
  if (!metric) return null;
  const { rate, value, passes, fails } = metric.stats;
  if (rate !== undefined) return rate;
  if (value !== undefined) return value;
  if (passes !== undefined && fails !== undefined && passes + fails > 0) return passes / (passes + fails);
  return null;
}

/** The run's length: as stated, else what a counter's count over its rate implies (k6's rate is count ÷ run time). */
function durationOf(stated: number | undefined, metrics: ReadonlyMap<string, SummaryMetric>): number | null {
  if (stated !== undefined) return stated;
  for (const name of ['http_reqs', 'iterations']) {
    const s = metrics.get(name)?.stats;
    if (s?.count !== undefined && s.rate !== undefined && s.rate > 0) return (1000 * s.count) / s.rate;
  }
  return null;
}

export function runFromMetrics(
  format: K6Run['format'],
  metrics: ReadonlyMap<string, SummaryMetric>,
  checks: CheckTally,
  statedDurationMs: number | undefined,
): K6Run {
  const testDurationMs = durationOf(statedDurationMs, metrics);
  const reqs = metrics.get('http_reqs')?.stats;
  const requests = reqs?.count ?? null;
  const requestRate = reqs?.rate ?? (requests !== null && testDurationMs ? (1000 * requests) / testDurationMs : null);
  const vusMax = metrics.get('vus_max')?.stats;
  const thresholds: K6Run['thresholds'] = [];
  for (const [metric, m] of metrics) for (const t of m.thresholds) thresholds.push({ metric, expression: t.expression, ok: t.ok });
  return {
    format,
    requests,
    requestRate,
    durationMs: trendOf(metrics.get('http_req_duration')),
    failedRate: fractionOf(metrics.get('http_req_failed')),
    checks: checks.list(),
    iterations: metrics.get('iterations')?.stats.count ?? null,
    vusMax: vusMax?.max ?? vusMax?.value ?? metrics.get('vus')?.stats.max ?? null,
    testDurationMs,
    thresholds,
  };
}
