import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../http/errors.ts';
import { syntheticRun } from './json-lines.fixture.ts';
import { K6FormatError } from './model.ts';
import { MAX_LINE_CHARS, readK6Result } from './read.ts';

const LIMITS = { maxBytes: 10 * 1024 * 1024, idleTimeoutMs: 2000 };

const exported = { metrics: { http_reqs: { count: 10, rate: 2 }, http_req_duration: { avg: 5, min: 1, med: 4, max: 9, 'p(90)': 8, 'p(95)': 8.5, thresholds: { 'p(95)<10': false } } }, root_group: { name: '', path: '', id: 'x', groups: {}, checks: {} } };
const handled = { metrics: { http_reqs: { type: 'counter', contains: 'default', values: { count: 10, rate: 2 } } }, root_group: { name: '', path: '', id: 'x', groups: [], checks: [] }, state: { testRunDurationMs: 5000 } };
const ndjson = [...syntheticRun(200).lines()].join('\n') + '\n';

/** The bytes in pieces of `size` (cutting lines and multi-byte characters anywhere). */
function stream(bytes: Buffer | string, size = 7): Readable {
  const buffer = Buffer.from(bytes);
  const pieces: Buffer[] = [];
  for (let at = 0; at < buffer.length; at += size) pieces.push(buffer.subarray(at, at + size));
  return Readable.from(pieces);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('resolved');
}

describe('readK6Result tells the formats apart', () => {
  it('reads a pretty-printed --summary-export, a one-line handleSummary JSON and --out json lines', async () => {
    expect(await readK6Result(stream(JSON.stringify(exported, null, 4)), LIMITS)).toMatchObject({ format: 'summary-export', requests: 10, testDurationMs: 5000 });
    expect(await readK6Result(stream(JSON.stringify(handled)), LIMITS)).toMatchObject({ format: 'handle-summary', testDurationMs: 5000 });
    expect(await readK6Result(stream(`${JSON.stringify(handled)}\n`), LIMITS)).toMatchObject({ format: 'handle-summary' });
    const run = await readK6Result(stream(ndjson, 1000), LIMITS);
    expect(run).toMatchObject({ format: 'json-lines', ...syntheticRun(200).expected });
  });

  it('takes blank lines, CRLF, a byte-order mark and a line cut mid-character in its stride', async () => {
    const point = (check: string, value: number) => `{"metric":"checks","type":"Point","data":{"time":"2026-03-01T10:00:00Z","value":${value},"tags":{"check":"${check}"}}}`;
    const text = `\uFEFF\r\n\r\n${point('応答は 200', 1)}\r\n\r\n${point('応答は 200', 0)}\r\n${point('本文あり ✓', 1)}`;
    for (const size of [1, 2, 3, 5, 64]) {
      const run = await readK6Result(stream(text, size), LIMITS);
      expect(run.checks, `pieces of ${size}`).toEqual([
        { name: '応答は 200', passes: 1, fails: 1 },
        { name: '本文あり ✓', passes: 1, fails: 0 },
      ]);
    }
  });

  it('names the line of a bad line however the body is cut', async () => {
    const lines = ndjson.split('\n');
    lines.splice(40, 0, '{"metric":"vus","type":"Point","data":{"time":"2026-03-01T10:00:00Z","value":"five"}}');
    const error = await rejection(readK6Result(stream(lines.join('\n'), 333), LIMITS));
    expect(error).toBeInstanceOf(K6FormatError);
    expect(error).toMatchObject({ field: 'line 41: data.value', line: 41 });
  });

  it('refuses an empty body, a body that is neither format, and a line longer than any of k6', async () => {
    expect(await rejection(readK6Result(stream(' \n\t\n'), LIMITS))).toMatchObject({ name: 'K6FormatError', field: 'body', message: 'the body is empty' });
    const neither = await rejection(readK6Result(stream('k6 v2.0.0 — running'), LIMITS));
    expect(neither).toMatchObject({ name: 'K6FormatError', field: 'body' });
    expect(await rejection(readK6Result(stream('[{"metrics":{}}]'), LIMITS))).toMatchObject({ name: 'K6FormatError', field: 'body' });
    const long = `${ndjson.split('\n')[0]}\n{"metric":"${'x'.repeat(MAX_LINE_CHARS)}`;
    expect(await rejection(readK6Result(stream(long, 64 * 1024), LIMITS))).toMatchObject({ name: 'K6FormatError', line: 2 });
  });
});

describe('readK6Result gunzips', () => {
  it('when asked and when the magic bytes say so', async () => {
    const gz = zlib.gzipSync(ndjson);
    const expected = { format: 'json-lines', requests: 200 };
    expect(await readK6Result(stream(gz, 100), { ...LIMITS, gzip: true })).toMatchObject(expected);
    expect(await readK6Result(stream(gz, 1), LIMITS)).toMatchObject(expected);
    expect(await readK6Result(stream(zlib.gzipSync(JSON.stringify(exported))), LIMITS)).toMatchObject({ format: 'summary-export' });
  });

  it('refuses a body said to be gzip that is not, and a truncated one', async () => {
    expect(await rejection(readK6Result(stream(ndjson), { ...LIMITS, gzip: true }))).toMatchObject({ name: 'K6FormatError', field: 'body' });
    const cut = zlib.gzipSync(ndjson).subarray(0, 500);
    expect(await rejection(readK6Result(stream(cut, 64), LIMITS))).toMatchObject({ name: 'K6FormatError', field: 'body' });
  });
});

describe('readK6Result holds its limits', () => {
  it('answers too_large past maxBytes, counted after decompression', async () => {
    const plain = await rejection(readK6Result(stream(ndjson, 4096), { ...LIMITS, maxBytes: 10_000 }));
    expect(plain).toBeInstanceOf(AppError);
    expect(plain).toMatchObject({ status: 413, code: 'too_large' });
    // 64 MiB of blank lines in a 64 KiB gzip: refused once 1 MiB has inflated, not after inflating it all.
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x0a), { level: 9 });
    expect(bomb.length).toBeLessThan(100 * 1024);
    const before = process.memoryUsage().rss;
    expect(await rejection(readK6Result(stream(bomb, 64 * 1024), { ...LIMITS, maxBytes: 1024 * 1024 }))).toMatchObject({ code: 'too_large' });
    expect(process.memoryUsage().rss - before).toBeLessThan(32 * 1024 * 1024);
  });

  it('answers idle_timeout when the body stalls, with Connection: close so the stalled upload ends', async () => {
    let reads = 0;
    const stalled = new Readable({
      read() {
        if (reads++ === 0) this.push(ndjson.slice(0, 500)); // …and then nothing more
      },
    });
    const started = Date.now();
    const error = await rejection(readK6Result(stalled, { ...LIMITS, idleTimeoutMs: 100 }));
    expect(error).toMatchObject({ status: 408, code: 'idle_timeout', headers: { connection: 'close' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(Date.now() - started).toBeLessThan(1000);
    stalled.destroy();
  });

  it('waits as long as bytes keep coming, however slowly in all', async () => {
    const text = ndjson.split('\n').slice(0, 60).join('\n');
    const pieces = text.match(/[^]{1,1500}/g)!;
    const slow = new Readable({ read() {} });
    pieces.forEach((piece, i) => setTimeout(() => slow.push(piece), 60 * (i + 1)));
    setTimeout(() => slow.push(null), 60 * (pieces.length + 1));
    const run = await readK6Result(slow, { ...LIMITS, idleTimeoutMs: 150 });
    expect(pieces.length * 60).toBeGreaterThan(150);
    expect(run).toMatchObject({ format: 'json-lines', iterations: 8 }); // 60 lines: 7 Metric, 2 vus, 8 iterations of 6 and 3 more
  });
});
