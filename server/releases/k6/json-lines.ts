// `k6 run --out json=x.json`: one JSON object a line, either a Metric
// declaration ({"type":"Metric","metric":"http_req_duration","data":{"type":
// "trend","contains":"time","thresholds":["p(95)<5000"],"submetrics":null}})
// or a sample ({"type":"Point","metric":"http_req_duration","data":{"time":
// "…","value":123.4,"tags":{…}}}). k6 v1 and v2 write the same fields (v0
// also wrote "tainted"; the key order differs between versions, and v2 may
// add data.metadata); a threshold is a string, or { threshold, abortOnFail,
// delayAbortEval } when it aborts the test.
//
// These files reach gigabytes, so every sample is folded into fixed-size
// aggregates as it passes (count, sum, min, max, last, non-zero count and,
// for trends, a quantile sketch within 1 %); memory grows only with the
// number of distinct metrics and check names, both capped. The thresholds
// declared in the file are judged by Mimamori from those aggregates. A
// threshold on a sub-metric (http_req_duration{scenario:ingest}) is not in
// the file at all: every such run carries a note saying so.

import { K6FormatError, type K6Run } from './model.ts';
import { QuantileSketch } from './sketch.ts';
import { CheckTally, isObject, type Json } from './summary-fields.ts';
import { aggregateKey, fitsMetricType, judgeThreshold, parseThreshold, thresholdExpressions, ThresholdError, type MetricType } from './thresholds.ts';

/** Far above any k6 script's; a file beyond them is not a k6 run's (and would make memory unbounded). */
export const MAX_METRICS = 1000;
export const MAX_CHECK_NAMES = 10_000;
/** Sub-metric names kept for the note; a script has a handful. */
const MAX_SUBMETRIC_NAMES = 100;
const METRIC_TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'rate', 'trend']);

class MetricAggregate {
  type: MetricType | undefined;
  readonly expressions: string[] = [];
  count = 0;
  sum = 0;
  nonZero = 0;
  min = Infinity;
  max = -Infinity;
  last = 0;
  /** Kept for trends, and for a metric not (yet) declared. */
  sketch: QuantileSketch | null = null;

  add(value: number): void {
    this.count++;
    this.sum += value;
    if (value !== 0) this.nonZero++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.last = value;
    if (this.type === undefined || this.type === 'trend') (this.sketch ??= new QuantileSketch()).add(value);
  }

  /** The aggregates as k6 keys them for this metric's type (undefined where there is no sample to give one). */
  values(durationS: number): Record<string, number | undefined> {
    if (this.count === 0) return this.type === 'counter' ? { count: 0 } : {};
    switch (this.type) {
      case 'counter':
        return { count: this.sum, rate: durationS > 0 ? this.sum / durationS : undefined };
      case 'gauge':
        return { value: this.last, min: this.min, max: this.max };
      case 'rate':
        return { rate: this.nonZero / this.count };
      default: {
        const q = (p: number) => this.sketch?.quantile(p);
        return { avg: this.sum / this.count, min: this.min, max: this.max, med: q(0.5), 'p(90)': q(0.9), 'p(95)': q(0.95), 'p(99)': q(0.99), count: this.count };
      }
    }
  }
}

/** Folds --out json lines, one at a time, into a K6Run. */
export class JsonLinesAggregator {
  private lineNumber = 0;
  private readonly metrics = new Map<string, MetricAggregate>();
  private readonly checks = new CheckTally();
  private readonly submetrics = new Set<string>();
  private firstMs = Infinity;
  private lastMs = -Infinity;

  /** Lines pushed so far, blank ones included. */
  get lines(): number {
    return this.lineNumber;
  }

  /** One line, without its newline; blank lines only count for the numbering. */
  push(line: string): void {
    const n = ++this.lineNumber;
    if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === '')) return;
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch (error) {
      throw new K6FormatError(`line ${n}: not JSON (${(error as Error).message.slice(0, 120)})`, `line ${n}`, n);
    }
    if (!isObject(doc)) throw new K6FormatError(`line ${n}: not a JSON object`, `line ${n}`, n);
    if (doc.type === 'Point') this.point(doc, n);
    else if (doc.type === 'Metric') this.declare(doc, n);
    else throw new K6FormatError(`line ${n}: "type" is ${JSON.stringify(doc.type) ?? 'missing'}, not "Metric" or "Point"`, `line ${n}: type`, n);
  }

  private point(doc: Json, n: number): void {
    const { metric, data } = doc;
    if (typeof metric !== 'string' || metric === '') throw fault(n, 'metric', 'is not a metric name');
    if (!isObject(data)) throw fault(n, 'data', 'is not an object');
    const value = data.value;
    if (typeof value !== 'number') throw fault(n, 'data.value', 'is not a number');
    const ms = isRfc3339(data.time) ? Date.parse(data.time) : NaN;
    if (Number.isNaN(ms)) throw fault(n, 'data.time', 'is not an RFC 3339 time');
    const tags = data.tags;
    if (tags !== null && tags !== undefined && !isObject(tags)) throw fault(n, 'data.tags', 'is not an object');
    if (ms < this.firstMs) this.firstMs = ms;
    if (ms > this.lastMs) this.lastMs = ms;
    this.aggregate(metric, n).add(value);
    // Each check() call is a `checks` sample tagged with the check's name: 1 passed, 0 failed.
    if (metric === 'checks' && typeof tags?.check === 'string') {
      if (this.checks.size >= MAX_CHECK_NAMES && !this.checks.has(tags.check)) {
        throw fault(n, 'data.tags.check', `is one check name more than the ${MAX_CHECK_NAMES} Mimamori keeps`);
      }
      this.checks.add(tags.check, value !== 0 ? 1 : 0, value !== 0 ? 0 : 1);
    }
  }

  private declare(doc: Json, n: number): void {
    const data = doc.data;
    if (!isObject(data)) throw fault(n, 'data', 'is not an object');
    const name = doc.metric ?? data.name;
    if (typeof name !== 'string' || name === '') throw fault(n, 'metric', 'is not a metric name');
    if (typeof data.type !== 'string' || !METRIC_TYPES.has(data.type)) throw fault(n, 'data.type', 'is not counter, gauge, rate or trend');
    const aggregate = this.aggregate(name, n);
    aggregate.type = data.type as MetricType;
    if (aggregate.type !== 'trend') aggregate.sketch = null;
    const declared = data.thresholds ?? [];
    if (!Array.isArray(declared)) throw fault(n, 'data.thresholds', 'is not a list');
    declared.forEach((entry: unknown, i) => {
      let expression: string;
      try {
        expression = thresholdExpressions(entry as string | { threshold: string });
      } catch (error) {
        if (error instanceof ThresholdError) throw fault(n, `data.thresholds[${i}]`, 'is neither a string nor { "threshold": "…" }');
        throw error;
      }
      if (!aggregate.expressions.includes(expression)) aggregate.expressions.push(expression);
    });
    // k6 lists a metric's sub-metrics by name (their thresholds stay out of the file).
    if (Array.isArray(data.submetrics)) {
      for (const sub of data.submetrics as unknown[]) {
        if (isObject(sub) && typeof sub.name === 'string' && this.submetrics.size < MAX_SUBMETRIC_NAMES) this.submetrics.add(sub.name);
      }
    }
  }

  private aggregate(name: string, n: number): MetricAggregate {
    let aggregate = this.metrics.get(name);
    if (!aggregate) {
      if (this.metrics.size >= MAX_METRICS) throw fault(n, 'metric', `is one metric more than the ${MAX_METRICS} Mimamori keeps`);
      aggregate = new MetricAggregate();
      this.metrics.set(name, aggregate);
    }
    return aggregate;
  }

  result(): K6Run {
    const testDurationMs = this.firstMs <= this.lastMs ? this.lastMs - this.firstMs : null;
    const durationS = (testDurationMs ?? 0) / 1000;
    const seen = (name: string) => {
      const m = this.metrics.get(name);
      return m && m.count > 0 ? m : undefined;
    };
    const requests = seen('http_reqs')?.sum ?? null;
    const duration = seen('http_req_duration')?.values(durationS);
    const failed = seen('http_req_failed');
    return {
      format: 'json-lines',
      requests,
      requestRate: requests !== null && durationS > 0 ? requests / durationS : null,
      durationMs: duration
        ? { avg: duration.avg!, med: duration.med ?? null, p90: duration['p(90)'] ?? null, p95: duration['p(95)'] ?? null, p99: duration['p(99)'] ?? null, min: duration.min!, max: duration.max! }
        : null,
      failedRate: failed ? failed.nonZero / failed.count : null,
      checks: this.checks.list(),
      iterations: seen('iterations')?.sum ?? null,
      vusMax: seen('vus_max')?.max ?? seen('vus')?.max ?? null,
      testDurationMs,
      thresholds: this.judgeThresholds(durationS),
      notes: [{ code: 'submetric_thresholds_unseen', submetrics: [...this.submetrics] }],
    };
  }

  private judgeThresholds(durationS: number): K6Run['thresholds'] {
    const judged: K6Run['thresholds'] = [];
    for (const [metric, aggregate] of this.metrics) {
      if (aggregate.expressions.length === 0) continue;
      const values = aggregate.values(durationS);
      for (const expression of aggregate.expressions) judged.push({ metric, expression, ok: judge(expression, aggregate, values) });
    }
    return judged;
  }
}

/** true/false as k6 would judge it; null when the expression is not one k6 accepts for this metric, or there is no figure to judge. */
function judge(expression: string, aggregate: MetricAggregate, values: Record<string, number | undefined>): boolean | null {
  let threshold;
  try {
    threshold = parseThreshold(expression);
  } catch (error) {
    if (error instanceof ThresholdError) return null;
    throw error;
  }
  if (aggregate.type && !fitsMetricType(threshold, aggregate.type)) return null;
  const key = aggregateKey(threshold);
  if (threshold.aggregation === 'p' && values[key] === undefined && aggregate.sketch) values[key] = aggregate.sketch.quantile(threshold.percentile! / 100);
  return judgeThreshold(threshold, values);
}

/** The shape's start, cheaply (Date.parse alone would take "1" for a year). */
function isRfc3339(time: unknown): time is string {
  return typeof time === 'string' && time.length >= 20 && time.charCodeAt(4) === 45 /* - */ && time.charCodeAt(10) === 84 /* T */;
}

function fault(n: number, field: string, reason: string): K6FormatError {
  return new K6FormatError(`line ${n}: ${field} ${reason}`, `line ${n}: ${field}`, n);
}

/** Aggregates a --out json file given line by line (no newlines), streaming. */
export async function readJsonLines(lines: AsyncIterable<string> | Iterable<string>): Promise<K6Run> {
  const aggregator = new JsonLinesAggregator();
  for await (const line of lines) aggregator.push(line);
  return aggregator.result();
}
