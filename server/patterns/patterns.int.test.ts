import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../../test/helpers/runtime.ts';
import { PatternMiner } from './miner.ts';

// Lines go in through the ingest door; the miner reads them by the time they
// were stored, once settled, so the test moves its clock past the settling.
let rt: TestRuntime;
let clock = Date.now();
const HOUR = 3_600_000;

async function ingest(lines: { at: number; service: string; level: string; message: string }[]) {
  const body = lines.map((l) => JSON.stringify({ timestamp: l.at, environment: 'production', host: 'ap-1', service: l.service, level: l.level, message: l.message })).join('\n');
  const res = await rt.app.inject({ method: 'POST', url: '/api/v1/ingest/logs', headers: { ...rt.auth, 'content-type': 'application/x-ndjson' }, payload: body });
  expect(res.statusCode, res.body).toBe(200);
  await rt.writer.flush();
}
// The runtime's miner waits 5 s for lines to settle; the test's own reads them as soon as they are loaded.
let miner: PatternMiner;
async function mine() {
  clock = Date.now();
  await rt.writer.flush();
  return miner.catchUp();
}
const get = async (url: string) => {
  const res = await rt.app.inject({ url, headers: rt.admin });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const range = () => `from=${new Date(clock - 2 * HOUR).toISOString()}&to=${new Date(clock).toISOString()}`;

beforeAll(async () => {
  rt = await openTestRuntime({ yaml: 'agent: { enabled: false }\nrules: []\npatterns: { enabled: false }\n', now: () => clock });
  miner = PatternMiner.open(rt.storage, rt.dataDir, { settleMs: 0, batchLines: 1000, intervalMs: 1000, now: () => clock });
  const now = Date.now();
  // Yesterday: a little of the timeout pattern (its baseline).
  await ingest(Array.from({ length: 24 }, (_, i) => ({ at: now - 20 * HOUR + i * 60_000, service: 'api', level: 'error', message: `upstream timeout after ${1000 + i}ms calling 10.0.0.${i % 5}:8080` })));
  // The last hour: many timeouts, and a new Japanese error.
  await ingest([
    ...Array.from({ length: 120 }, (_, i) => ({ at: now - HOUR + i * 20_000, service: 'api', level: 'error', message: `upstream timeout after ${2000 + i}ms calling 10.0.0.${i % 7}:8080` })),
    ...Array.from({ length: 30 }, (_, i) => ({ at: now - HOUR + i * 60_000, service: 'api', level: 'error', message: `ユーザー ${10000 + i} のログインに失敗しました` })),
    ...Array.from({ length: 50 }, (_, i) => ({ at: now - HOUR + i * 60_000, service: 'web', level: 'info', message: `GET /news/${i} 200 ${10 + i}ms` })),
  ]);
}, 60_000);
afterAll(async () => rt?.close());

describe('learned log patterns (issue 18)', () => {
  it('mines stored lines into patterns with counts, examples and a sparkline; new ones and surges are marked', async () => {
    expect(await mine()).toBe(224);
    const { patterns } = await get(`/api/v1/patterns?environment=production&service=api&${range()}`);
    expect(patterns.map((p: { count: number; level: string }) => [p.count, p.level])).toEqual([[120, 'error'], [30, 'error']]);
    const [timeout, login] = patterns;
    expect(timeout.template).toMatch(/^upstream timeout after <\w+> calling <IP>$/);
    expect(timeout.series.reduce((a: number, b: number) => a + b, 0)).toBe(120);
    expect(timeout.examples.length).toBeGreaterThan(0);
    expect(timeout.new).toBe(false);
    // 120 in 2 h against 24 in the 24 h before: 60 an hour over 1 an hour.
    expect(timeout.surge_factor).toBe(60);
    expect(login).toMatchObject({ new: true, surge_factor: null });
    expect(login.template).toMatch(/ログインに失敗しました$/);
  });

  it('opens the lines of a pattern in the logs API', async () => {
    const { patterns } = await get(`/api/v1/patterns?environment=production&level=error&${range()}`);
    const logs = await get(`/api/v1/logs?environment=production&pattern=${patterns[0].id}&limit=5&${range()}`);
    expect(logs.total).toBe(120);
    expect(logs.rows.every((r: { message: string }) => r.message.startsWith('upstream timeout after'))).toBe(true);
    const unknown = await rt.app.inject({ url: `/api/v1/logs?environment=production&pattern=p000000000000`, headers: rt.admin });
    expect(unknown.json()).toMatchObject({ error: 'unknown_pattern', details: [{ field: 'pattern' }] });
  });

  it('mines a line stored late with an old timestamp, exactly once, and keeps its ids across a restart of the miner', async () => {
    const before = (await get(`/api/v1/patterns?environment=production&service=web&from=${new Date(clock - 30 * HOUR).toISOString()}&to=${new Date(clock).toISOString()}`)).patterns[0];
    await ingest([{ at: Date.now() - 26 * HOUR, service: 'web', level: 'info', message: 'GET /news/999 200 12ms' }]);
    expect(await mine()).toBe(1);
    expect(await mine()).toBe(0);
    const after = (await get(`/api/v1/patterns?environment=production&service=web&from=${new Date(clock - 30 * HOUR).toISOString()}&to=${new Date(clock).toISOString()}`)).patterns[0];
    expect([after.id, after.count]).toEqual([before.id, before.count + 1]);
    const reopened = PatternMiner.open(rt.storage, rt.dataDir, { settleMs: 0, batchLines: 1000, intervalMs: 1000, now: () => clock });
    expect(reopened.drainOf('production', 'web')!.match('GET /news/5 200 31ms')?.id).toBe(before.id);
    expect(await reopened.catchUp()).toBe(0);
  });
});
