import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../../test/helpers/runtime.ts';

// Every refusal answers 4xx with { error, message, details } and stores nothing.
let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime({
    yaml: 'environments: [production, staging]\ningest: { max_body_bytes: 64KiB, max_line_bytes: 2KiB, max_rows: 100 }\ningest_tokens:\n  - { name: ci, secret_env: CI_TOKEN }\n',
    env: { CI_TOKEN: 'ci-token-0123456789abcdef', MIMAMORI_INGEST_TOKEN: 'automation-token-0123456789' },
  });
});
afterAll(async () => {
  await rt.close();
});

const BASE = Date.now() - 3_600_000;
const good = (i: number) => ({ timestamp: new Date(BASE + i * 1000).toISOString(), environment: 'production', service: 'rejects', message: `ok ${i}` });
const lines = (rows: unknown[]) => rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n');

async function post(kind: string, payload: string | Buffer, headers: Record<string, string> = {}) {
  return rt.app.inject({ method: 'POST', url: `/api/v1/ingest/${kind}`, payload, headers: { ...rt.auth, 'content-type': 'application/x-ndjson', ...headers } });
}

async function storedRejects(): Promise<number> {
  await rt.writer.flush();
  return (await rt.app.inject({ headers: rt.admin, url: '/api/v1/logs?service=rejects&from=2000-01-01T00:00:00Z&limit=0' })).json().total;
}

const cases: [name: string, body: string, field: string | undefined, line: number, reason: RegExp][] = [
  ['a missing field', lines([good(1), { timestamp: good(2).timestamp, environment: 'production' }]), 'message', 2, /required/],
  ['a wrong type', lines([good(1), good(2), { ...good(3), message: 42 }]), 'message', 3, /string/],
  ['a bad timestamp', lines([{ ...good(1), timestamp: '26/11/2026 09:00' }]), 'timestamp', 1, /RFC 3339/],
  ['an impossible date', lines([{ ...good(1), timestamp: '2026-02-30T00:00:00Z' }]), 'timestamp', 1, /not a real date/],
  ['epoch seconds instead of ms', lines([{ ...good(1), timestamp: 1764115200 }]), 'timestamp', 1, /before 2000/],
  ['a timestamp far in the future', lines([{ ...good(1), timestamp: '2099-01-01T00:00:00Z' }]), 'timestamp', 1, /future/],
  ['a timestamp older than the retention', lines([{ ...good(1), timestamp: '2024-01-01T00:00:00Z' }]), 'timestamp', 1, /older than the retention of 90 days/],
  ['an unknown environment', lines([good(1), { ...good(2), environment: 'integration' }]), 'environment', 2, /unknown environment "integration"/],
  ['an unknown field', lines([{ ...good(1), mesage: 'typo' }]), 'mesage', 1, /unknown field/],
  ['a bad attribute value', lines([{ ...good(1), attributes: { nested: { a: 1 } } }]), 'attributes.nested', 1, /string|number|boolean/],
  ['invalid JSON', lines([good(1), '{"timestamp": "2026-11-26T00:00:00Z",']), undefined, 2, /not valid JSON/],
  ['a non-object line', lines(['[1,2,3]']), undefined, 1, /JSON object/],
];

describe('validation errors', () => {
  it.each(cases)('refuses %s with 400, naming line and field', async (_name, body, field, line, reason) => {
    const res = await post('logs', body);
    expect(res.statusCode).toBe(400);
    const json = res.json();
    expect(json.error).toBe('invalid_records');
    expect(json.message).toContain(`line ${line}`);
    expect(json.details[0]).toMatchObject({ line, ...(field ? { field } : {}) });
    expect(json.details[0].reason).toMatch(reason);
    expect(await storedRejects()).toBe(0);
  });

  it('refuses a bad metric and a bad probe the same way', async () => {
    const metric = await post('metrics', lines([{ timestamp: BASE, environment: 'production', name: 'bad name!', value: 1 }]));
    expect(metric.statusCode).toBe(400);
    expect(metric.json().details[0].field).toBe('name');
    const probe = await post('probes', lines([{ timestamp: BASE, environment: 'production', target: 't', ok: 'yes', total_ms: 5 }]));
    expect(probe.statusCode).toBe(400);
    expect(probe.json().details[0].field).toBe('ok');
  });

  it('lists several bad lines, not only the first', async () => {
    const res = await post('logs', lines([{ ...good(1), environment: 'nope' }, good(2), { ...good(3), level: 7 }]));
    expect(res.json().details.map((d: { line: number }) => d.line)).toEqual([1, 3]);
  });

  it('refuses a JSON body that is not an array, and an empty batch', async () => {
    expect((await post('logs', '{"a":1', { 'content-type': 'application/json' })).json().details[0].line).toBe(1);
    const notArray = await post('logs', '"text"', { 'content-type': 'application/json' });
    expect(notArray.statusCode).toBe(400);
    expect(notArray.json().error).toBe('invalid_records');
    expect((await post('logs', '\n\n')).json().error).toBe('empty_batch');
  });

  it('refuses unsupported media types and encodings with 415, broken gzip with 400', async () => {
    expect((await post('logs', lines([good(1)]), { 'content-type': 'text/csv' })).statusCode).toBe(415);
    expect((await post('logs', lines([good(1)]), { 'content-encoding': 'br' })).statusCode).toBe(415);
    const broken = await post('logs', Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error).toBe('invalid_encoding');
    expect(await storedRejects()).toBe(0);
  });
});

describe('limits answer 413 with the limit', () => {
  it('body size', async () => {
    const res = await post('logs', 'x'.repeat(70 * 1024));
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toBe('too_large');
  });

  it('body size after gzip is undone', async () => {
    const big = lines(Array.from({ length: 90 }, (_, i) => ({ ...good(i), message: 'y'.repeat(1000) })));
    const res = await post('logs', gzipSync(big), { 'content-encoding': 'gzip' });
    expect(res.statusCode).toBe(413);
    expect(res.json().details[0].limit).toBe(64 * 1024);
  });

  it('line length', async () => {
    const res = await post('logs', lines([good(1), { ...good(2), message: 'z'.repeat(3000) }]));
    expect(res.statusCode).toBe(413);
    expect(res.json().details[0]).toMatchObject({ line: 2, limit: 2048 });
  });

  it('rows per request', async () => {
    const res = await post('logs', lines(Array.from({ length: 101 }, (_, i) => good(i))));
    expect(res.statusCode).toBe(413);
    expect(res.json().details[0].limit).toBe(100);
    expect(await storedRejects()).toBe(0);
  });
});

describe('authentication', () => {
  it('answers 401 without a token or with a wrong one, and counts the refusals', async () => {
    const none = await rt.app.inject({ method: 'POST', url: '/api/v1/ingest/logs', payload: lines([good(1)]), headers: { 'content-type': 'application/x-ndjson' } });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toContain('Bearer');
    const wrong = await post('logs', lines([good(1)]), { authorization: 'Bearer not-the-token' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toBe('unauthorized');
    expect(await storedRejects()).toBe(0);
    const metrics = (await rt.app.inject({ headers: rt.admin, url: '/metrics' })).body;
    expect(metrics).toMatch(/mimamori_ingest_rejected_batches_total\{kind="logs",reason="unauthorized"\} 2/);
    expect(metrics).toMatch(/mimamori_ingest_rejected_batches_total\{kind="logs",reason="invalid_records"\} \d+/);
  });

  it('accepts config tokens and MIMAMORI_INGEST_TOKEN', async () => {
    for (const token of ['ci-token-0123456789abcdef', 'automation-token-0123456789']) {
      const res = await post('logs', lines([{ ...good(1), service: 'tokens' }]), { authorization: `Bearer ${token}` });
      expect(res.statusCode).toBe(200);
    }
  });
});
