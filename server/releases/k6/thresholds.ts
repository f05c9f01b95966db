// k6 threshold expressions, parsed and judged as k6 documents them
// (grafana.com/docs/k6, "Thresholds", read for v1.x and v2.3.x; the grammar
// is the one in k6's metrics/thresholds_parser.go):
//
//   assertion          -> aggregation_method whitespace* operator whitespace* float
//   aggregation_method -> "avg" | "min" | "max" | "med" | "p(" float ")" | "count" | "rate" | "value"
//   operator           -> ">" | ">=" | "<=" | "<" | "==" | "===" | "!="
//   float              -> digit+ ("." digit+)?
//   whitespace         -> " "
//
// and a percentile outside 0–100 fails parsing. k6's own scanner is a
// little looser than its grammar (it trims any whitespace and reads numbers
// with Go's ParseFloat, so "-1" or "1e3" pass there); Mimamori keeps to the
// documented grammar, so everything it accepts, k6 accepts too.

export type Aggregation = 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' | 'value' | 'p';
export type Operator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';
export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

export interface Threshold {
  expression: string;
  aggregation: Aggregation;
  /** Only for `p`: p(99.9) has percentile 99.9. */
  percentile?: number;
  op: Operator;
  limit: number;
}

export class ThresholdError extends Error {
  constructor(
    readonly expression: string,
    readonly reason: string,
  ) {
    super(`threshold ${JSON.stringify(expression)}: ${reason}`);
    this.name = 'ThresholdError';
  }
}

/** The aggregation methods k6 allows on each metric type (the docs' table). */
export const AGGREGATIONS_BY_METRIC_TYPE: Readonly<Record<MetricType, readonly Aggregation[]>> = {
  counter: ['count', 'rate'],
  gauge: ['value'],
  rate: ['rate'],
  trend: ['avg', 'min', 'max', 'med', 'p'],
};

const KEYWORDS: readonly Aggregation[] = ['avg', 'min', 'max', 'med', 'count', 'rate', 'value'];
const FLOAT = /^[0-9]+(\.[0-9]+)?$/;
// The lazy left side stops at the first operator character; longer operators are tried first.
const SHAPE = /^(.*?) *(===|==|!=|<=|>=|<|>) *(.*)$/s;
const EXPECTED = 'one of avg, min, max, med, p(N), count, rate, value';

export function parseThreshold(expression: string): Threshold {
  const fail = (reason: string) => new ThresholdError(String(expression), reason);
  if (typeof expression !== 'string') throw fail('a threshold expression is a string');
  if (expression.trim() === '') throw fail('empty; expected <aggregation> <operator> <value>, e.g. p(95)<5000');
  if (/[^\S ]/.test(expression)) throw fail('only plain spaces may surround the operator (found a tab, newline or other whitespace)');
  if (expression !== expression.trim()) throw fail('leading or trailing space; spaces are allowed only around the operator');
  const shape = SHAPE.exec(expression);
  if (!shape) throw fail('no comparison operator; expected one of <, <=, >, >=, ==, ===, !=');
  const [, method = '', op = '', value = ''] = shape;
  const aggregation = parseAggregation(method, fail);
  if (value === '') throw fail(`no value after the operator ${op}`);
  if (!FLOAT.test(value)) throw fail(`the value ${JSON.stringify(value)} is not a number (digits, optionally a point and more digits)`);
  const limit = Number(value);
  if (!Number.isFinite(limit)) throw fail(`the value ${value} is too large`);
  return { expression, ...aggregation, op: op as Operator, limit };
}

function parseAggregation(method: string, fail: (reason: string) => ThresholdError): { aggregation: Aggregation; percentile?: number } {
  if (method === '') throw fail(`no aggregation method before the operator; expected ${EXPECTED}`);
  if ((KEYWORDS as readonly string[]).includes(method)) return { aggregation: method as Aggregation };
  if (method.startsWith('p(') && method.endsWith(')')) {
    const inner = method.slice(2, -1);
    if (!FLOAT.test(inner)) throw fail(`the percentile ${JSON.stringify(inner)} in ${method} is not a number`);
    const percentile = Number(inner);
    if (percentile > 100) throw fail(`the percentile ${inner} is outside 0–100`);
    return { aggregation: 'p', percentile };
  }
  if (/^p\d/.test(method)) throw fail(`unknown aggregation method ${JSON.stringify(method)}: a percentile is written p(N), e.g. p(95)`);
  throw fail(`unknown aggregation method ${JSON.stringify(method)}; expected ${EXPECTED}`);
}

/** The expression of a threshold entry in either of k6's forms: 'p(95)<5000' or { threshold: 'p(95)<5000', abortOnFail: true }. */
export function thresholdExpressions(entry: string | { threshold: string }): string {
  if (typeof entry === 'string') return entry;
  const expression = (entry as { threshold?: unknown } | null)?.threshold;
  if (typeof expression !== 'string') throw new ThresholdError(JSON.stringify(entry) ?? String(entry), 'the object form needs a "threshold" string');
  return expression;
}

/** Whether k6 allows the threshold's aggregation on a metric of this type (`p(95)` on a rate metric is refused by k6). */
export function fitsMetricType(t: Threshold, type: MetricType): boolean {
  return AGGREGATIONS_BY_METRIC_TYPE[type].includes(t.aggregation);
}

/** The key k6 gives the aggregate in a summary's values: 'p(95)', 'p(99.9)', 'avg', 'rate'… */
export function aggregateKey(t: Threshold): string {
  return t.aggregation === 'p' ? `p(${t.percentile})` : t.aggregation;
}

/**
 * values: the metric's aggregates keyed as k6 names them: 'avg','min','max','med','p(90)','p(95)','p(99)','count','rate','value'.
 * null when the needed aggregate is missing.
 */
export function judgeThreshold(t: Threshold, values: Record<string, number | undefined>): boolean | null {
  const actual = values[aggregateKey(t)];
  if (typeof actual !== 'number' || Number.isNaN(actual)) return null;
  switch (t.op) {
    case '<':
      return actual < t.limit;
    case '<=':
      return actual <= t.limit;
    case '>':
      return actual > t.limit;
    case '>=':
      return actual >= t.limit;
    case '==':
    case '===':
      return actual === t.limit;
    case '!=':
      return actual !== t.limit;
  }
}
