import { describe, expect, it } from 'vitest';
import { fitsMetricType, judgeThreshold, parseThreshold, ThresholdError, thresholdExpressions, type Threshold } from './thresholds.ts';

function refusal(expression: string): ThresholdError {
  try {
    parseThreshold(expression);
  } catch (error) {
    expect(error).toBeInstanceOf(ThresholdError);
    return error as ThresholdError;
  }
  throw new Error(`${expression} was accepted`);
}

describe('parseThreshold', () => {
  it('reads every aggregation method k6 documents', () => {
    expect(parseThreshold('p(95)<5000')).toEqual({ expression: 'p(95)<5000', aggregation: 'p', percentile: 95, op: '<', limit: 5000 });
    expect(parseThreshold('p(99.99) < 300')).toEqual({ expression: 'p(99.99) < 300', aggregation: 'p', percentile: 99.99, op: '<', limit: 300 });
    expect(parseThreshold('rate<0.01')).toMatchObject({ aggregation: 'rate', op: '<', limit: 0.01 });
    expect(parseThreshold('count >= 500')).toMatchObject({ aggregation: 'count', op: '>=', limit: 500 });
    expect(parseThreshold('value<4000')).toMatchObject({ aggregation: 'value', op: '<', limit: 4000 });
    for (const method of ['avg', 'min', 'max', 'med'] as const) expect(parseThreshold(`${method}<200`).aggregation).toBe(method);
    expect(parseThreshold('p(0)>=0').percentile).toBe(0);
    expect(parseThreshold('p(100)<=1').percentile).toBe(100);
    expect(parseThreshold('avg<200')).not.toHaveProperty('percentile');
  });

  it('reads each operator, the longer one where two share a start', () => {
    const ops = { 'avg<1': '<', 'avg<=1': '<=', 'avg>1': '>', 'avg>=1': '>=', 'avg==1': '==', 'avg===1': '===', 'avg!=1': '!=' };
    for (const [expression, op] of Object.entries(ops)) expect(parseThreshold(expression).op).toBe(op);
    expect(parseThreshold('rate  ===  1').op).toBe('===');
  });

  it('refuses what k6 documents as wrong, naming the fault', () => {
    expect(refusal('p95<5000').reason).toMatch(/p\(N\)/);
    expect(refusal('p(95) < abc').reason).toMatch(/"abc" is not a number/);
    expect(refusal('p(101)<1').reason).toMatch(/101 is outside 0–100/);
    expect(refusal('mean<200').reason).toMatch(/unknown aggregation method "mean"/);
    expect(refusal('p(x)<1').reason).toMatch(/percentile "x"/);
    expect(refusal('p(-1)<1').reason).toMatch(/percentile "-1"/);
    expect(refusal('avg 200').reason).toMatch(/no comparison operator/);
    expect(refusal('avg=200').reason).toMatch(/no comparison operator/);
    expect(refusal('avg=<200').reason).toMatch(/unknown aggregation method "avg="/);
    expect(refusal('avg<').reason).toMatch(/no value after the operator </);
    expect(refusal('<200').reason).toMatch(/no aggregation method/);
    expect(refusal('').reason).toMatch(/empty/);
    expect(refusal('avg<200ms').reason).toMatch(/"200ms" is not a number/);
    expect(refusal('avg<.5').reason).toMatch(/not a number/);
    expect(refusal('p( 95 )<1').reason).toMatch(/percentile " 95 "/);
  });

  it('allows plain spaces around the operator only, as the grammar says', () => {
    expect(refusal('avg\t<\t200').reason).toMatch(/plain spaces/);
    expect(refusal(' avg<200').reason).toMatch(/leading or trailing/);
    expect(refusal('avg<200 ').reason).toMatch(/leading or trailing/);
    expect(refusal('a vg<200').reason).toMatch(/unknown aggregation method "a vg"/);
  });

  it('carries the expression and the reason on the error', () => {
    const error = refusal('p95<5000');
    expect(error.expression).toBe('p95<5000');
    expect(error.message).toBe(`threshold "p95<5000": ${error.reason}`);
  });
});

describe('thresholdExpressions', () => {
  it('takes the short and the long form', () => {
    expect(thresholdExpressions('rate<0.01')).toBe('rate<0.01');
    expect(thresholdExpressions({ threshold: 'p(95)<5000', abortOnFail: true } as { threshold: string })).toBe('p(95)<5000');
  });

  it('refuses an object without a threshold string', () => {
    expect(() => thresholdExpressions({ abortOnFail: true } as unknown as { threshold: string })).toThrow(ThresholdError);
  });
});

describe('fitsMetricType', () => {
  it('follows the table of aggregation methods per metric type', () => {
    const p95 = parseThreshold('p(95)<1');
    const rate = parseThreshold('rate<1');
    expect([fitsMetricType(p95, 'trend'), fitsMetricType(p95, 'rate'), fitsMetricType(p95, 'counter')]).toEqual([true, false, false]);
    expect([fitsMetricType(rate, 'rate'), fitsMetricType(rate, 'counter'), fitsMetricType(rate, 'gauge'), fitsMetricType(rate, 'trend')]).toEqual([true, true, false, false]);
    expect(fitsMetricType(parseThreshold('value<1'), 'gauge')).toBe(true);
    expect(fitsMetricType(parseThreshold('count<1'), 'trend')).toBe(false);
  });
});

describe('judgeThreshold', () => {
  const trend = { avg: 140.36, min: 119.08, med: 140.96, max: 154.63, 'p(90)': 146.88, 'p(95)': 148.21, 'p(99)': 153.9 };
  const judge = (expression: string, values: Record<string, number | undefined>) => judgeThreshold(parseThreshold(expression), values);

  it('compares the aggregate k6 names in the summary', () => {
    expect(judge('p(95)<1500', trend)).toBe(true);
    expect(judge('p(95)<148.21', trend)).toBe(false);
    expect(judge('p(95)<=148.21', trend)).toBe(true);
    expect(judge('p(99)<150', trend)).toBe(false);
    expect(judge('avg<200', trend)).toBe(true);
    expect(judge('max>154', trend)).toBe(true);
    expect(judge('min>=119.08', trend)).toBe(true);
    expect(judge('med!=140.96', trend)).toBe(false);
    expect(judge('rate<0.01', { rate: 0.0005 })).toBe(true);
    expect(judge('rate>0.99', { rate: 0.99 })).toBe(false);
    expect(judge('count==45', { count: 45, rate: 6.56 })).toBe(true);
    expect(judge('count===44', { count: 45 })).toBe(false);
    expect(judge('value<4000', { value: 4000 })).toBe(false);
  });

  it('finds a percentile written with a trailing zero under k6\'s key', () => {
    expect(judge('p(95.0)<1500', trend)).toBe(true);
  });

  it('answers null when the summary lacks the aggregate', () => {
    expect(judge('p(99.9)<1', trend)).toBeNull();
    expect(judge('rate<1', trend)).toBeNull();
    expect(judge('avg<1', { avg: undefined })).toBeNull();
    expect(judge('avg<1', { avg: Number.NaN })).toBeNull();
  });

  it('judges a hand-made threshold the same way', () => {
    const t: Threshold = { expression: 'p(90)<147', aggregation: 'p', percentile: 90, op: '<', limit: 147 };
    expect(judgeThreshold(t, trend)).toBe(true);
  });
});
