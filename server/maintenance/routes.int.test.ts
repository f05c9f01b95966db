import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/runtime.ts';
import { actorGuard } from '../auth/actors.ts';
import { registerErrorHandler } from '../http/errors.ts';
import { openStorage, type Storage } from '../storage/client.ts';
import { dateTimeText } from '../storage/sql.ts';
import { MaintenanceCalendar } from './calendar.ts';
import { resolveMaintenance } from './resolve.ts';
import { maintenanceRoutes } from './routes.ts';

const TZ = 'Asia/Tokyo';
const MIN = 60_000;
const HOUR = 60 * MIN;
const auth = { authorization: 'Bearer op-secret-0123456789' };
const start = Date.now();
let clock = start;
let storage: Storage;
let app: FastifyInstance;

beforeAll(async () => {
  storage = await openStorage({ dataDir: tempDir(), log: () => {} });
  const definitions = resolveMaintenance([], TZ, ['production', 'staging'], () => new Error('unused'));
  const calendar = await MaintenanceCalendar.open(storage, definitions, TZ, { now: () => clock });
  app = Fastify();
  registerErrorHandler(app);
  const requireActor = actorGuard(() => [{ name: 'op', role: 'operator', secret: 'op-secret-0123456789' }]);
  await app.register(maintenanceRoutes, { calendar, requireActor, storage, timezone: TZ, environments: ['production', 'staging'], now: () => clock });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await storage?.close();
});

const create = (body: object, headers: Record<string, string> = auth) => app.inject({ method: 'POST', url: '/api/v1/maintenance', payload: body, headers });
const iso = (ms: number) => new Date(ms).toISOString();

describe('maintenance routes', () => {
  it('refuses changes without a key, and bad windows naming the field', async () => {
    const body = { name: 'w', start: iso(start + HOUR), end: iso(start + 2 * HOUR) };
    expect((await create(body, {})).statusCode).toBe(401);
    const inverted = await create({ ...body, end: iso(start) });
    expect(inverted.statusCode).toBe(400);
    expect(inverted.json().details).toEqual([{ field: 'end', reason: 'not after start' }]);
    const unknownEnv = await create({ ...body, environments: ['staging', 'prod'] });
    expect(unknownEnv.json()).toMatchObject({ error: 'unknown_environment', details: [{ field: 'environments.1' }] });
    const tooLong = await create({ ...body, end: iso(start + 8 * 24 * HOUR) });
    expect(tooLong.json()).toMatchObject({ error: 'window_too_long', details: [{ field: 'end' }] });
    expect(tooLong.json().message).toContain('at most 7 days');
    const notATime = await create({ ...body, start: 'next tuesday' });
    expect(notATime.json()).toMatchObject({ error: 'invalid_time', details: [{ field: 'start' }] });
  });

  it('makes one window per submit however often it is sent, and changes it before it is over', async () => {
    const body = { name: 'DB patch', start: iso(start + 3 * HOUR), end: iso(start + 4 * HOUR), environments: ['staging'] };
    const key = randomUUID();
    const first = await create(body, { ...auth, 'idempotency-key': key });
    const again = await create(body, { ...auth, 'idempotency-key': key });
    expect([first.statusCode, again.statusCode]).toEqual([201, 200]);
    expect(again.json().id).toBe(first.json().id);
    const listed = (await app.inject({ method: 'GET', url: `/api/v1/maintenance?from=${start}`, headers: auth })).json().windows.filter((w: { name: string }) => w.name === 'DB patch');
    expect(listed).toHaveLength(1);
    expect((await create(body, { ...auth, 'idempotency-key': 'no' })).json()).toMatchObject({ error: 'invalid_header', details: [{ field: 'Idempotency-Key' }] });

    const put = (id: string, changes: object) => app.inject({ method: 'PUT', url: `/api/v1/maintenance/${id}`, payload: { ...body, ...changes }, headers: auth });
    const changed = await put(first.json().id, { name: 'DB patch (extended)', end: iso(start + 5 * HOUR) });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ id: first.json().id, name: 'DB patch (extended)', end: iso(start + 5 * HOUR), updated_by: 'op' });
    expect((await put(first.json().id, { end: iso(start) })).json()).toMatchObject({ error: 'invalid_window', details: [{ field: 'end' }] });
    expect((await put('no-such-window', {})).statusCode).toBe(404);
    // Deleted: gone from the list, and no longer changeable.
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/maintenance/${first.json().id}`, headers: auth })).statusCode).toBe(204);
    expect((await put(first.json().id, {})).statusCode).toBe(404);
  });

  it('shows the maintenance screen with 503 and Retry-After during a window, 200 before and after', async () => {
    const created = await create({
      name: 'switch swap',
      start: iso(start + HOUR),
      end: iso(start + 2 * HOUR),
      environments: ['production'],
      targets: ['shop'],
      message: { ja: '決済を停止しています <script>alert(1)</script>', en: 'Payments are paused & back soon' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'switch swap', source: 'api', created_by: 'op', environments: ['production'] });

    const before = await app.inject({ url: '/maintenance' });
    expect(before.statusCode).toBe(200);
    expect(before.body).toContain('現在メンテナンスは行っていません');
    expect(before.body.indexOf('現在メンテナンス')).toBeLessThan(before.body.indexOf('No maintenance in progress'));

    clock = start + 90 * MIN;
    const during = await app.inject({ url: '/maintenance?environment=production&target=shop' });
    expect(during.statusCode).toBe(503);
    expect(during.headers['retry-after']).toBe('1800');
    expect(during.headers['cache-control']).toBe('no-store');
    expect(during.headers['content-type']).toContain('text/html');
    expect(during.body).toContain('メンテナンス中 / Maintenance in progress');
    expect(during.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(during.body).not.toContain('<script>');
    expect(during.body).toContain('Payments are paused &amp; back soon');
    expect(during.body).toContain('(Asia/Tokyo)');
    expect(during.body.indexOf('決済')).toBeLessThan(during.body.indexOf('Payments'));

    const english = await app.inject({ url: '/maintenance?lang=en' });
    expect(english.statusCode).toBe(503);
    expect(english.body).toContain('<html lang="en">');
    expect(english.body.indexOf('Payments')).toBeLessThan(english.body.indexOf('決済'));
    const accept = await app.inject({ url: '/maintenance', headers: { 'accept-language': 'en-US,en;q=0.9' } });
    expect(accept.body.indexOf('Maintenance in progress')).toBeLessThan(accept.body.indexOf('メンテナンス中'));

    expect((await app.inject({ url: '/maintenance?environment=staging' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/maintenance?target=blog' })).statusCode).toBe(200);

    clock = start + 2 * HOUR;
    expect((await app.inject({ url: '/maintenance' })).statusCode).toBe(200);
    clock = start;
  });

  it('answers the status as JSON: now and the next 7 days', async () => {
    clock = start;
    const planned = (await app.inject({ url: '/api/v1/status' })).json();
    expect(planned).toMatchObject({ time: iso(start), timezone: TZ, maintenance: false, windows: [] });
    expect(planned.upcoming.map((w: { name: string }) => w.name)).toContain('switch swap');

    clock = start + 90 * MIN;
    const now = (await app.inject({ url: '/api/v1/status?environment=production' })).json();
    expect(now.maintenance).toBe(true);
    expect(now.windows[0]).toMatchObject({ name: 'switch swap', start: iso(start + HOUR), end: iso(start + 2 * HOUR), message: { en: 'Payments are paused & back soon' } });
    expect((await app.inject({ url: '/api/v1/status?environment=staging' })).json().maintenance).toBe(false);
    clock = start;
  });

  it('lists and cancels windows; cancelling needs an operator key', async () => {
    const list = (await app.inject({ url: `/api/v1/maintenance?from=${start}&to=${start + 3 * HOUR}` })).json();
    const window = list.windows.find((w: { name: string }) => w.name === 'switch swap');
    expect(window).toBeDefined();
    const url = `/api/v1/maintenance/${encodeURIComponent(window.id)}`;
    expect((await app.inject({ method: 'DELETE', url })).statusCode).toBe(401);
    expect((await app.inject({ method: 'DELETE', url, headers: auth })).statusCode).toBe(204);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/maintenance/nope', headers: auth })).json()).toMatchObject({ error: 'not_found' });
    clock = start + 90 * MIN;
    expect((await app.inject({ url: '/maintenance' })).statusCode).toBe(200);
    clock = start;
  });

  it('leaves declared maintenance out of availability', async () => {
    const base = Math.floor(Date.now() / MIN) * MIN;
    // Declared while it is happening (from the clock's view), then probes fail inside it.
    clock = base - 30 * MIN;
    const created = await create({ name: 'checkout fix', start: iso(base - 30 * MIN), end: iso(base - 20 * MIN), environments: ['production'], targets: ['checkout'] });
    expect(created.statusCode).toBe(201);
    const rows = Array.from({ length: 40 }, (_, i) => {
      const minute = base - (40 - i) * MIN;
      const inWindow = minute >= base - 30 * MIN && minute < base - 20 * MIN;
      const ok = !inWindow && minute !== base - 35 * MIN;
      return { timestamp: dateTimeText(minute + 5_000), environment: 'production', target: 'checkout', url: 'https://checkout/', ok, status: ok ? 200 : 503, error: '', total_ms: 120 };
    });
    await storage.insertRows('probes', rows, randomUUID());

    clock = Date.now();
    const res = await app.inject({ url: `/api/v1/availability?environment=production&target=checkout&from=${base - 45 * MIN}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ environment: 'production', target: 'checkout', from: iso(base - 45 * MIN), probes: 30, ok: 29, excluded_minutes: 10 });
    expect(res.json().availability_percent).toBeCloseTo(96.667, 3);

    const other = (await app.inject({ url: `/api/v1/availability?environment=production&target=elsewhere&from=${base - 45 * MIN}` })).json();
    expect(other).toMatchObject({ probes: 0, availability_percent: null, excluded_minutes: 0 });
  });
});
