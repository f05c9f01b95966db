import fs from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/runtime.ts';
import { registerErrorHandler } from '../http/errors.ts';
import { openStorage, type Storage } from '../storage/client.ts';
import { raw, sql } from '../storage/sql.ts';
import { resolveFaro, withDashboardApp, type ResolvedFaro } from './config.ts';
import { faroRoutes } from './routes.ts';

interface Captured {
  headers: Record<string, string>;
  body: { meta: object; measurements?: { values: unknown }[] };
}
const captured: Captured[] = JSON.parse(fs.readFileSync(new URL('./faro-payload-sample.json', import.meta.url), 'utf8'));
const ORIGIN = 'http://127.0.0.1:44473';
const T0 = Date.parse('2026-11-26T06:54:42Z');
const fail = (p: (string | number)[], reason: string) => new Error(`${p.join('.')}: ${reason}`);
const config = (rate: number) =>
  resolveFaro({ apps: [{ name: 'portal', key: 'probe-key', environment: 'production', origins: [ORIGIN] }], rate_limit_per_minute: rate }, ['production', 'staging'], fail);

let storage: Storage;
let app: FastifyInstance;
let faro: ResolvedFaro;
let clock = T0;

async function build(settings: ResolvedFaro, maxBodyBytes?: number): Promise<FastifyInstance> {
  const instance = Fastify({ ajv: { customOptions: { removeAdditional: false } } });
  registerErrorHandler(instance);
  await instance.register(faroRoutes, { storage, faro: settings, publicUrl: 'http://mimamori.local:8080', now: () => clock, maxBodyBytes });
  await instance.ready();
  return instance;
}

/** The captured request's headers, minus those inject computes itself. */
function headersOf(c: Captured, extra: Record<string, string> = {}, drop: string[] = []): Record<string, string> {
  const skip = new Set(['content-length', 'connection', 'accept-encoding', ...drop]);
  return { ...Object.fromEntries(Object.entries(c.headers).filter(([name]) => !skip.has(name))), ...extra };
}
const post = (c: Captured, extra: Record<string, string> = {}, payload: unknown = c.body, target = app) =>
  target.inject({ method: 'POST', url: '/api/v1/faro/collect', headers: headersOf(c, extra), payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
const count = async (table: string) => (await storage.query<{ n: number }>(sql`SELECT count() AS n FROM ${raw(table)}`))[0]!.n;
const counts = async () => ({ m: await count('rum_measurements'), e: await count('rum_events'), x: await count('rum_exceptions'), l: await count('rum_logs') });

beforeAll(async () => {
  const dataDir = tempDir();
  storage = await openStorage({ dataDir, log: () => {} });
  faro = withDashboardApp(config(600), dataDir, ['production', 'staging']);
  app = await build(faro);
});
afterAll(async () => {
  await app?.close();
  await storage?.close();
});

describe('POST /api/v1/faro/collect', () => {
  it('stores what the Faro SDK really sent, under the configured environment and app', async () => {
    for (const c of captured) {
      const res = await post(c);
      expect(res.statusCode, res.body).toBe(202);
      expect(res.json().duplicate).toBe(false);
      expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    }
    expect(await counts()).toEqual({ m: 24, e: 3, x: 2, l: 1 });

    const vitals = await storage.query<{ name: string; value: number; environment: string; app: string; session_id: string; browser: string; attributes: Record<string, string> }>(
      sql`SELECT name, value, environment, app, session_id, browser, attributes FROM rum_measurements WHERE has(['ttfb', 'fcp', 'lcp', 'inp', 'cls'], name) ORDER BY timestamp`,
    );
    expect(vitals.map((v) => [v.name, v.value])).toEqual([['ttfb', 70], ['fcp', 668], ['lcp', 668], ['inp', 32], ['cls', 0]]);
    expect(vitals[0]).toMatchObject({ environment: 'production', app: 'portal', session_id: 'kgPxyeyLUg', browser: 'Chrome Headless' });
    expect(vitals[0]!.attributes).toMatchObject({ 'meta.app.environment': 'probe', 'meta.app.name': 'slo-dashboard', rating: 'good', vital: 'ttfb', 'measurement.type': 'web-vitals' });

    const events = await storage.query<{ name: string; duration_ms: number | null; page_url: string }>(sql`SELECT name, duration_ms, page_url FROM rum_events ORDER BY name`);
    expect(events).toEqual([
      { name: 'faro.performance.navigation', duration_ms: 611, page_url: 'http://127.0.0.1:44473/' },
      { name: 'probe-event', duration_ms: null, page_url: 'http://127.0.0.1:44473/' },
      { name: 'session_start', duration_ms: null, page_url: 'http://127.0.0.1:44473/' },
    ]);
    const [boom] = await storage.query<{ type: string; value: string; stacktrace: string; timestamp: string }>(sql`SELECT type, value, stacktrace, timestamp FROM rum_exceptions ORDER BY timestamp LIMIT 1`);
    expect(boom).toMatchObject({ type: 'Error', value: 'probe boom 3', timestamp: '2026-11-26 06:54:40.318' });
    expect(boom!.stacktrace.split('\n')[0]).toBe('    at HTMLButtonElement.a (http://127.0.0.1:44473/assets/index-Bed3mr7O.js:3:11325)');
    expect(await storage.query(sql`SELECT level, message FROM rum_logs`)).toEqual([{ level: 'info', message: 'hello from probe' }]);
  });

  it('answers a resend of the same idempotency-key with 202 and stores it once', async () => {
    const before = await counts();
    const again = await post(captured[0]!);
    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual({ accepted: 15, duplicate: true });
    expect(await counts()).toEqual(before);
    clock = T0 + 11 * 60_000;
    // Past the 10 minutes the key is forgotten in memory; ClickHouse's dedup token still keeps one copy.
    expect((await post(captured[0]!)).json()).toEqual({ accepted: 15, duplicate: false });
    expect(await counts()).toEqual(before);
    clock = T0;
  });

  it('accepts text/plain (sendBeacon) bodies', async () => {
    const before = await counts();
    const res = await post(captured[1]!, { 'content-type': 'text/plain;charset=UTF-8', 'idempotency-key': 'beacon-1' });
    expect(res.statusCode, res.body).toBe(202);
    expect((await counts()).m).toBe(before.m + 4);
  });

  it('refuses a broken body naming the field, storing nothing of it', async () => {
    const before = await counts();
    const broken = structuredClone(captured[0]!.body);
    broken.measurements![0]!.values = 42;
    const res = await post(captured[0]!, { 'idempotency-key': 'broken-1' }, broken);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_payload', details: [{ field: 'measurements.0.values', reason: 'must be object' }] });
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(await counts()).toEqual(before);
    expect((await post(captured[0]!, { 'idempotency-key': 'broken-2' }, '{"meta":')).json()).toMatchObject({ error: 'invalid_json', details: [{ field: 'body' }] });
    const noMeta = await post(captured[0]!, { 'idempotency-key': 'broken-3' }, { logs: [] });
    expect(noMeta.json().details).toEqual([{ field: 'meta', reason: 'required field is missing' }]);
  });

  it('refuses unknown keys (401), other origins (403) and bodies over the limit (413)', async () => {
    const unknown = await post(captured[0]!, { 'x-api-key': 'not-a-key', 'idempotency-key': 'k-401' });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toMatchObject({ error: 'unauthorized', details: [{ field: 'x-api-key', reason: 'unknown key' }] });
    const noKey = headersOf(captured[0]!, {}, ['x-api-key']);
    expect((await app.inject({ method: 'POST', url: '/api/v1/faro/collect', headers: noKey, payload: '{}' })).statusCode).toBe(401);

    const foreign = await post(captured[0]!, { origin: 'https://evil.example', 'idempotency-key': 'k-403' });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json()).toMatchObject({ error: 'origin_not_allowed', details: [{ field: 'origin' }] });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();

    const small = await build(faro, 1024);
    const huge = await post(captured[0]!, { 'idempotency-key': 'k-413' }, { ...captured[0]!.body, logs: [{ message: 'x'.repeat(2000), level: 'info', timestamp: '2026-11-26T06:54:39.660Z' }] }, small);
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error).toBe('too_large');
    expect(huge.headers['access-control-allow-origin']).toBe(ORIGIN);
    await small.close();
  });

  it('answers CORS preflight for allowed origins only', async () => {
    const preflight = (origin: string) =>
      app.inject({ method: 'OPTIONS', url: '/api/v1/faro/collect', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key' } });
    const ok = await preflight(ORIGIN);
    expect(ok.statusCode).toBe(204);
    expect(ok.headers).toMatchObject({
      'access-control-allow-origin': ORIGIN,
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type,x-api-key,x-faro-session-id,idempotency-key,traceparent',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
    expect((await preflight('https://evil.example')).statusCode).toBe(403);
  });

  it('lets the built-in dashboard app send from its own origin only', async () => {
    const key = faro.apps.find((a) => a.name === 'mimamori-dashboard')!.key;
    const own = { 'x-api-key': key, host: 'mimamori.local:8080', origin: 'http://mimamori.local:8080', 'idempotency-key': 'dash-1' };
    expect((await post(captured[1]!, own)).statusCode).toBe(202);
    expect((await post(captured[1]!, { ...own, origin: ORIGIN, 'idempotency-key': 'dash-2' })).statusCode).toBe(403);
    // "self" is public_url's origin, not whatever Host the client writes: a forged Host with a matching Origin is refused.
    const forged = { ...own, host: 'evil.example', origin: 'http://evil.example', 'idempotency-key': 'dash-3' };
    const refused = await post(captured[1]!, forged);
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    const [row] = await storage.query<{ environment: string }>(sql`SELECT environment FROM rum_measurements WHERE app = 'mimamori-dashboard' LIMIT 1`);
    expect(row).toEqual({ environment: 'production' });
    expect((await app.inject({ url: '/api/v1/faro/client-config' })).json()).toEqual({ url: '/api/v1/faro/collect', apiKey: key, app: 'mimamori-dashboard', environment: 'production' });
  });

  it('rate-limits per app key and client IP with 429 and Retry-After', async () => {
    const limited = await build(config(2));
    const send = (n: number) => post(captured[1]!, { 'idempotency-key': `rl-${n}` }, captured[1]!.body, limited);
    expect((await send(1)).statusCode).toBe(202);
    expect((await send(2)).statusCode).toBe(202);
    const refused = await send(3);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('30');
    expect(refused.headers['access-control-allow-origin']).toBe(ORIGIN);
    clock += 30_000;
    expect((await send(4)).statusCode).toBe(202);
    clock = T0;
    await limited.close();
  });
});

describe('RUM read API', () => {
  const range = `from=${Date.parse('2026-11-26T06:00:00Z')}&to=${Date.parse('2026-11-26T07:00:00Z')}`;

  it('gives page-load and web-vital series with quantiles', async () => {
    const load = await app.inject({ url: `/api/v1/rum/series?environment=production&app=portal&name=page_load&step=3600&${range}` });
    expect(load.statusCode, load.body).toBe(200);
    expect(load.json().points).toEqual([{ t: Date.parse('2026-11-26T06:00:00Z'), count: 1, p50: 611, p95: 611 }]);
    const fcp = await app.inject({ url: `/api/v1/rum/series?environment=production&name=fcp&page=${encodeURIComponent('http://127.0.0.1:44473/')}&${range}` });
    expect(fcp.json().points).toEqual([{ t: Date.parse('2026-11-26T06:54:00Z'), count: 1, p50: 668, p95: 668 }]);
    expect((await app.inject({ url: `/api/v1/rum/series?environment=staging&name=fcp&${range}` })).json().points).toEqual([]);
    expect((await app.inject({ url: `/api/v1/rum/series?environment=production&name=fcp&from=2026-11-26T07:00:00Z&to=2026-11-26T06:00:00Z` })).statusCode).toBe(400);
  });

  it('summarises page loads, vitals and errors per app and page', async () => {
    const res = await app.inject({ url: `/api/v1/rum/summary?environment=production&${range}` });
    expect(res.statusCode, res.body).toBe(200);
    const portal = res.json().pages.find((p: { app: string }) => p.app === 'portal');
    expect(portal).toEqual({
      app: 'portal',
      page: 'http://127.0.0.1:44473/',
      page_loads: 1,
      load_ms: { count: 1, p75: 611, p95: 611 },
      ttfb: { count: 1, p75: 70, p95: 70 },
      fcp: { count: 1, p75: 668, p95: 668 },
      // lcp was sent once more as a beacon and by the rate-limit test.
      lcp: { count: 5, p75: 668, p95: 668 },
      inp: { count: 1, p75: 32, p95: 32 },
      cls: { count: 1, p75: 0, p95: 0 },
      errors: 2,
    });
  });
});
