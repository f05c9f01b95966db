import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, testConfig, type TestRuntime } from '../../test/helpers/runtime.ts';
import { registerErrorHandler } from '../http/errors.ts';
import { liveRoutes } from './routes.ts';
import type { WallDocument } from './schemas.ts';
import { localMidnight } from './wall.ts';

const MIN = 60_000;
const yaml = `
environments: [production, staging]
agent: { enabled: false }
evaluation_interval: 1h
rules:
  - { name: slow, kind: response_time, threshold_ms: 5000, severity: critical }
  - { name: down, kind: availability, consecutive: 1, severity: critical }
  - { name: cpu-web, kind: cpu, threshold_percent: 70, match: { host: [web-1] } }
  - { name: cpu-all, kind: cpu, threshold_percent: 90 }
`;
// The spark is cut at minute boundaries: start early in a minute so none passes while the file runs.
if (Date.now() % 60_000 > 40_000) await new Promise((r) => setTimeout(r, 61_000 - (Date.now() % 60_000)));
const t0 = Date.now();
let rt: TestRuntime;
let live: FastifyInstance;

const ingest = async (kind: 'probes' | 'metrics', payload: object[]) => {
  const res = await rt.app.inject({ method: 'POST', url: `/api/v1/ingest/${kind}`, headers: rt.auth, payload });
  expect(res.statusCode).toBe(200);
};
const probe = (target: string, agoMs: number, totalMs: number, ok = true, environment = 'production') => ({ timestamp: t0 - agoMs, environment, target, ok, status: ok ? 200 : 503, ...(ok ? {} : { error: 'HTTP 503' }), total_ms: totalMs });
const wall = async (query = ''): Promise<WallDocument> => (await live.inject({ method: 'GET', url: `/api/v1/wall${query}` })).json();
const tile = (doc: WallDocument, target: string) => doc.targets.find((t) => t.target === target)!;

// portal: one probe a minute for 20 minutes, 100…2000 ms, the newest 300 ms.
const portal = Array.from({ length: 20 }, (_, i) => probe('portal', (20 - i) * MIN, (i + 1) * 100));

beforeAll(async () => {
  rt = await openTestRuntime({ yaml });
  await ingest('probes', [
    ...portal,
    probe('portal', 20_000, 300),
    probe('search', 30_000, 6200),
    probe('login', 60_000, 120),
    probe('login', 30_000, 4, false), // a quick 503: its 4 ms is no response time
    probe('archive', 30 * MIN, 250, true, 'staging'),
    probe('legacy', 125 * MIN, 480, false, 'staging'),
    probe('docs', 40_000, 9000, false, 'staging'),
  ]);
  const cpu = (host: string, environment: string, value: (i: number) => number) =>
    Array.from({ length: 30 }, (_, i) => ({ timestamp: t0 - (29 - i) * MIN, environment, host, name: 'cpu_utilisation_percent', labels: { cpu: 'total' }, value: value(i) }));
  await ingest('metrics', [...cpu('web-1', 'production', (i) => 40 + i), ...cpu('db-1', 'staging', () => 12.5)]);
  await rt.writer.flush();
  await rt.alerting.evaluator.run('all');
  await rt.alerting.calendar.create({ name: 'docs upgrade', start: t0 - MIN, end: t0 + 3_600_000, environments: ['staging'], targets: ['docs'] }, { name: 'op', role: 'operator' });
  const ticket = await rt.alerting.ledger.openManual({ type: 'inquiry', title: '問い合わせ: ログインできない', environment: 'production' }, { name: '佐藤', role: 'operator' });
  await rt.alerting.ledger.acknowledge(ticket.number, { name: '佐藤', role: 'operator' });

  live = Fastify();
  registerErrorHandler(live);
  await live.register(liveRoutes, { storage: rt.storage, bus: rt.bus, alerting: rt.alerting, config: testConfig(yaml), timing: { minIntervalMs: 200, refreshMs: 60_000 } });
  await live.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await live?.close();
  await rt?.close();
});

describe('GET /api/v1/wall', () => {
  it('gives each target its newest probe, hourly p95, availability today and state', async () => {
    const doc = await wall();
    expect(doc.timezone).toBe('Asia/Tokyo');
    expect(doc.environments).toEqual([{ name: 'production', production: true }, { name: 'staging', production: false }]);
    expect(doc.targets.map((t) => `${t.environment}/${t.target}`)).toEqual(['production/login', 'production/portal', 'production/search', 'staging/archive', 'staging/docs', 'staging/legacy']);

    const p = tile(doc, 'portal');
    expect(p).toMatchObject({ state: 'ok', last_ms: 300, last_ok: true, last_at: new Date(t0 - 20_000).toISOString(), alerts: [] });
    expect(p.p95_1h_ms).toBeGreaterThanOrEqual(1800);
    expect(p.p95_1h_ms).toBeLessThanOrEqual(2000);
    const midnight = localMidnight(t0, 'Asia/Tokyo');
    const todays = [...portal, probe('portal', 20_000, 300)].filter((x) => x.timestamp >= midnight).length;
    expect(p.availability_today).toBe(todays ? 100 : null);

    expect(tile(doc, 'search')).toMatchObject({ state: 'slow', last_ms: 6200, alerts: ['slow'] });
    const login = tile(doc, 'login');
    expect(login).toMatchObject({ state: 'down', last_ms: null, last_ok: false, last_status: 503, last_error: 'HTTP 503', p95_1h_ms: 120, alerts: ['down'] });
    expect(p).toMatchObject({ last_status: null, last_error: null });
    if (t0 - 60_000 >= midnight) expect(login.availability_today).toBe(50);
    expect(tile(doc, 'archive')).toMatchObject({ state: 'stale', last_ms: 250, last_ok: true, last_at: new Date(t0 - 30 * MIN).toISOString(), p95_1h_ms: 250 });
    expect(tile(doc, 'legacy')).toMatchObject({ state: 'stale', last_ms: null, last_ok: false, last_status: 503, last_at: new Date(t0 - 125 * MIN).toISOString(), p95_1h_ms: null, alerts: ['down'] });
    expect(tile(doc, 'docs')).toMatchObject({ state: 'maintenance', last_ok: false });
    expect(doc.counts).toEqual({ ok: 1, slow: 1, down: 1, maintenance: 1, stale: 2 });
  });

  it('shows hosts with CPU, the covering threshold and a 60-minute spark', async () => {
    const { hosts } = await wall();
    expect(hosts.map((h) => [h.environment, h.host, h.threshold])).toEqual([['production', 'web-1', 70], ['staging', 'db-1', 90]]);
    const web = hosts[0]!;
    expect(web.cpu).toBe(69);
    expect(web.spark).toHaveLength(60);
    expect(web.spark.slice(-3)).toEqual([67, 68, 69]);
    expect(web.spark.slice(0, 30).every((v) => v === null)).toBe(true);
    expect(hosts[1]!.cpu).toBe(12.5);
  });

  it('lists open incidents and maintenance windows, and narrows to one environment', async () => {
    const doc = await wall();
    // The firing alerts opened tickets of their own; the inquiry is the newest.
    expect(doc.incidents[0]).toMatchObject({ title: '問い合わせ: ログインできない', environment: 'production', status: 'acknowledged', acknowledgedBy: '佐藤' });
    expect(doc.incidents.map((i) => i.title).slice(1).sort()).toEqual(['応答時間が 5000 ms を超過 — docs', '応答時間が 5000 ms を超過 — search', '監視対象が 1 回連続で応答失敗 — docs', '監視対象が 1 回連続で応答失敗 — legacy', '監視対象が 1 回連続で応答失敗 — login'].sort());
    expect(doc.incidents.every((i) => i.age_s >= 0 && i.age_s < 120)).toBe(true);
    expect(doc.maintenance).toEqual([expect.objectContaining({ name: 'docs upgrade', environments: ['staging'], targets: ['docs'], end: new Date(t0 + 3_600_000).toISOString() })]);
    expect(doc.maintenance[0]!.message.ja).toBeTruthy();

    const staging = await wall('?environment=staging');
    expect(staging.targets.map((t) => t.target)).toEqual(['archive', 'docs', 'legacy']);
    expect(staging.hosts.map((h) => h.host)).toEqual(['db-1']);
    expect(staging.incidents.map((i) => i.environment)).toEqual(['staging', 'staging', 'staging']);
    expect(staging.counts).toEqual({ ok: 0, slow: 0, down: 0, maintenance: 1, stale: 2 });
    // A target page asks for its one tile, not the whole screen.
    const one = await wall('?environment=staging&target=docs');
    expect(one.targets.map((t) => t.target)).toEqual(['docs']);
    expect(one.counts).toEqual(staging.counts); // the environment's counts all the same
    const bad = await live.inject({ method: 'GET', url: '/api/v1/wall?environment=nowhere' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'unknown_environment', details: [{ field: 'environment' }] });
  });
});

describe('GET /api/v1/wall/stream', () => {
  it('sends the document at once, again after ingest, and ends when the server closes', async () => {
    const { port } = live.server.address() as AddressInfo;
    const events: WallDocument[] = [];
    let buffer = '';
    let head = '';
    const waiters: (() => void)[] = [];
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => http.get({ host: '127.0.0.1', port, path: '/api/v1/wall/stream?environment=production' }, resolve).on('error', reject));
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    const ended = new Promise<void>((resolve) => res.on('end', resolve));
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        if (!head) head = frame;
        const data = /^event: wall\ndata: (.*)$/s.exec(frame);
        if (data) events.push(JSON.parse(data[1]!) as WallDocument);
        waiters.splice(0).forEach((w) => w());
      }
    });
    const nextEvent = async (count: number) => {
      const deadline = Date.now() + 10_000;
      while (events.length < count) {
        if (Date.now() > deadline) throw new Error(`no wall event #${count}`);
        await new Promise<void>((r) => waiters.push(r));
      }
      return events[count - 1]!;
    };

    const first = await nextEvent(1);
    expect(head).toBe('retry: 3000');
    expect(first.targets.map((t) => t.target)).toEqual(['login', 'portal', 'search']);
    expect(tile(first, 'portal').last_ms).toBe(300);

    await ingest('probes', [{ timestamp: Date.now(), environment: 'production', target: 'portal', ok: true, status: 200, total_ms: 777 }]);
    const second = await nextEvent(2);
    expect(tile(second, 'portal')).toMatchObject({ last_ms: 777, state: 'ok' });

    // Straight from ingest, before the writer loads it: a failure says what failed, not how fast.
    await ingest('probes', [{ timestamp: Date.now(), environment: 'production', target: 'portal', ok: false, status: 500, error: 'HTTP 500', total_ms: 9 }]);
    const third = await nextEvent(3);
    expect(tile(third, 'portal')).toMatchObject({ state: 'down', last_ms: null, last_ok: false, last_status: 500, last_error: 'HTTP 500' });

    const started = Date.now();
    await live.close();
    await ended;
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
