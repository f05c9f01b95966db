import { describe, expect, it } from 'vitest';
import { exactDurationQuantile, syntheticRun } from './json-lines.fixture.ts';
import { JsonLinesAggregator, MAX_METRICS, readJsonLines } from './json-lines.ts';
import { K6FormatError } from './model.ts';

async function* each(lines: Iterable<string>): AsyncGenerator<string> {
  yield* lines;
}

// The lines of k6's JSON output documentation (v0.x order: type, data, metric; "tainted" still there).
const documented = [
  '{"type":"Metric","data":{"type":"gauge","contains":"default","tainted":null,"thresholds":[],"submetrics":null},"metric":"vus"}',
  '{"type":"Point","data":{"time":"2017-05-09T14:34:45.625742514+02:00","value":5,"tags":null},"metric":"vus"}',
  '{"type":"Metric","data":{"type":"trend","contains":"time","tainted":null,"thresholds":["avg<1000"],"submetrics":null},"metric":"http_req_duration"}',
  '{"type":"Point","data":{"time":"2017-05-09T14:34:45.239531499+02:00","value":459.865729,"tags":{"group":"::my group::json","method":"GET","status":"200","url":"https://httpbin.test.k6.io/get"}},"metric":"http_req_duration"}',
  '',
  '{"type":"Point","data":{"time":"2017-05-09T14:34:46.239531499+02:00","value":40.134271,"tags":{"group":"::my group::json","method":"GET","status":"200","url":"https://httpbin.test.k6.io/get"}},"metric":"http_req_duration"}',
];

function refusal(lines: string[]): K6FormatError {
  const aggregator = new JsonLinesAggregator();
  try {
    for (const line of lines) aggregator.push(line);
    aggregator.result();
  } catch (error) {
    expect(error).toBeInstanceOf(K6FormatError);
    return error as K6FormatError;
  }
  throw new Error('accepted');
}

describe('readJsonLines', () => {
  it('aggregates the documented lines and judges their threshold', async () => {
    const run = await readJsonLines(each(documented));
    expect(run).toMatchObject({
      format: 'json-lines',
      requests: null,
      requestRate: null,
      failedRate: null,
      iterations: null,
      vusMax: 5,
      testDurationMs: 1000, // 14:34:45.239 to 14:34:46.239
      checks: [],
      thresholds: [{ metric: 'http_req_duration', expression: 'avg<1000', ok: true }],
    });
    expect(run.durationMs).toEqual({ avg: 250, med: 250, p90: expect.closeTo(418.0, 0) as number, p95: expect.closeTo(438.9, 0) as number, p99: expect.closeTo(455.7, 0) as number, min: 40.134271, max: 459.865729 });
  });

  it('says in a note that thresholds on sub-metrics are not in the file, naming the sub-metrics k6 lists', async () => {
    expect((await readJsonLines(each(documented))).notes).toEqual([{ code: 'submetric_thresholds_unseen', submetrics: [] }]);
    // As k6 writes a metric whose sub-metrics carry thresholds (script: 'http_req_duration{scenario:ingest}': ['p(95)<1000']).
    const metric = '{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":[],"submetrics":[{"name":"http_req_duration{scenario:ingest}","suffix":"scenario:ingest","tags":{"scenario":"ingest"}},{"name":"http_req_duration{expected_response:true}","suffix":"expected_response:true","tags":{"expected_response":"true"}}]},"metric":"http_req_duration"}';
    const run = await readJsonLines(each([metric, documented[3]!]));
    expect(run.thresholds).toEqual([]);
    expect(run.notes).toEqual([{ code: 'submetric_thresholds_unseen', submetrics: ['http_req_duration{scenario:ingest}', 'http_req_duration{expected_response:true}'] }]);
  });

  it('gives every field of a synthetic run its known answer', async () => {
    const run = syntheticRun(5_000);
    const result = await readJsonLines(run.lines());
    expect(result).toMatchObject({ ...run.expected, requestRate: expect.closeTo(run.expected.requestRate!, 9) as number });
    let sum = 0;
    for (let k = 0; k < run.iterations; k++) sum += run.durationAtRank(k);
    const d = result.durationMs!;
    expect(d.avg).toBeCloseTo(sum / run.iterations, 9);
    expect(d.min).toBe(run.durationAtRank(0));
    expect(d.max).toBe(run.durationAtRank(run.iterations - 1));
    for (const [q, estimate] of [[0.5, d.med], [0.9, d.p90], [0.95, d.p95], [0.99, d.p99]] as const) {
      const exact = exactDurationQuantile(run, q);
      expect(Math.abs(estimate! - exact) / exact, `p${q * 100}`).toBeLessThanOrEqual(0.01);
    }
  });

  it('judges a threshold it cannot read, or one k6 refuses on this metric type, as null', async () => {
    const run = await readJsonLines(
      each([
        '{"type":"Metric","metric":"http_req_failed","data":{"name":"http_req_failed","type":"rate","contains":"default","thresholds":["p(95)<1","rate<<1","rate<0.5"],"submetrics":null}}',
        '{"metric":"http_req_failed","type":"Point","data":{"time":"2026-03-01T10:00:00Z","value":1,"tags":{}}}',
      ]),
    );
    expect(run.thresholds.map((t) => t.ok)).toEqual([null, null, false]);
    expect(run.failedRate).toBe(1);
  });

  it('judges a percentile the summary trend stats do not name, e.g. p(99.9)', async () => {
    const lines = ['{"type":"Metric","metric":"t","data":{"name":"t","type":"trend","contains":"time","thresholds":["p(99.9)<=1000","p(99.9)<999"],"submetrics":null}}'];
    for (let i = 1; i <= 1000; i++) lines.push(`{"metric":"t","type":"Point","data":{"time":"2026-03-01T10:00:00Z","value":${i},"tags":null}}`);
    expect((await readJsonLines(each(lines))).thresholds.map((t) => t.ok)).toEqual([true, false]);
  });

  it('counts a counter metric by the sum of its values, and failed checks by value 0', async () => {
    const run = await readJsonLines(
      each([
        '{"metric":"http_reqs","type":"Point","data":{"time":"2026-03-01T10:00:00Z","value":2,"tags":{}}}',
        '{"metric":"http_reqs","type":"Point","data":{"time":"2026-03-01T10:00:04Z","value":2,"tags":{}}}',
        '{"metric":"checks","type":"Point","data":{"time":"2026-03-01T10:00:01Z","value":0,"tags":{"check":"a"}}}',
        '{"metric":"checks","type":"Point","data":{"time":"2026-03-01T10:00:02Z","value":1,"tags":{"check":"a"}}}',
      ]),
    );
    expect(run).toMatchObject({ requests: 4, requestRate: 1, testDurationMs: 4000, checks: [{ name: 'a', passes: 1, fails: 1 }] });
  });
});

describe('refusing lines that are not k6 --out json', () => {
  const point = '{"metric":"vus","type":"Point","data":{"time":"2026-03-01T10:00:00Z","value":1,"tags":{}}}';

  it('names the line that is not JSON, not an object, or neither Metric nor Point', () => {
    expect(refusal([point, '', '{"metric":"vus",'])).toMatchObject({ field: 'line 3', line: 3 });
    expect(refusal([point, '[1]'])).toMatchObject({ field: 'line 2', line: 2 });
    const other = refusal([point, '{"type":"Summary","metric":"vus","data":{}}']);
    expect(other).toMatchObject({ field: 'line 2: type', line: 2 });
    expect(other.message).toContain('"Summary"');
  });

  it('names the field of a Point or Metric line that is wrong', () => {
    const cases: [string, string][] = [
      ['{"type":"Point","data":{"time":"2026-03-01T10:00:00Z","value":1}}', 'line 1: metric'],
      ['{"metric":"vus","type":"Point","data":{"time":"2026-03-01T10:00:00Z","value":"1"}}', 'line 1: data.value'],
      ['{"metric":"vus","type":"Point","data":{"time":"yesterday","value":1}}', 'line 1: data.time'],
      ['{"metric":"vus","type":"Point","data":{"time":"1","value":1}}', 'line 1: data.time'],
      ['{"metric":"vus","type":"Point","data":{"time":"2026-13-45T10:00:00Z","value":1}}', 'line 1: data.time'],
      ['{"metric":"vus","type":"Point","data":{"time":"2026-03-01T10:00:00Z","value":1,"tags":"x"}}', 'line 1: data.tags'],
      ['{"metric":"vus","type":"Point","data":null}', 'line 1: data'],
      ['{"type":"Metric","metric":"vus","data":{"type":"histogram"}}', 'line 1: data.type'],
      ['{"type":"Metric","metric":"vus","data":{"type":"gauge","thresholds":"value<1"}}', 'line 1: data.thresholds'],
      ['{"type":"Metric","metric":"vus","data":{"type":"gauge","thresholds":[42]}}', 'line 1: data.thresholds[0]'],
    ];
    for (const [line, field] of cases) expect(refusal([line]).field, line).toBe(field);
  });

  it('refuses more distinct metrics than it keeps, so memory stays bounded', () => {
    const lines = Array.from({ length: MAX_METRICS + 1 }, (_, i) => `{"metric":"m${i}","type":"Point","data":{"time":"2026-03-01T10:00:00Z","value":1}}`);
    expect(refusal(lines)).toMatchObject({ line: MAX_METRICS + 1 });
  });
});
