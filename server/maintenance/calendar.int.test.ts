import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/runtime.ts';
import { openStorage, type Storage } from '../storage/client.ts';
import { sql } from '../storage/sql.ts';
import { MaintenanceCalendar } from './calendar.ts';
import { resolveMaintenance } from './resolve.ts';

const TZ = 'Asia/Tokyo';
const HOUR_MS = 3_600_000;
const op = { name: 'op', role: 'operator' };
const fail = (path: (string | number)[], reason: string) => new Error(`${path.join('.')}: ${reason}`);
const definitions = resolveMaintenance(
  [
    { name: 'db-upgrade', start: '2026-11-26T02:00', end: '2026-11-26T04:00', environments: ['production'], targets: ['shop'] },
    { name: 'nightly', every: 'daily', at: '03:00', duration: '30m', environments: ['staging'] },
  ],
  TZ,
  ['production', 'staging'],
  fail,
);

let dataDir: string;
let storage: Storage;
const clock = Date.parse('2026-11-25T00:00:00Z');
const now = () => clock;
const open = () => MaintenanceCalendar.open(storage, definitions, TZ, { now });

beforeAll(async () => {
  dataDir = tempDir();
  storage = await openStorage({ dataDir, log: () => {} });
});
afterAll(() => storage.close());

describe('MaintenanceCalendar', () => {
  it('matches windows by environment and target; empty lists match all', async () => {
    const calendar = await open();
    const during = Date.parse('2026-11-25T18:00:00Z'); // 03:00 in Tokyo
    expect(calendar.activeFor({ environment: 'production', target: 'shop' }, during)?.id).toBe('db-upgrade');
    expect(calendar.activeFor({ environment: 'production', target: 'blog' }, during)).toBeUndefined();
    expect(calendar.activeFor({ environment: 'staging', target: 'shop' }, during)?.id).toBe('nightly@2026-11-25T18:00:00.000Z');
    expect(calendar.activeFor({}, during)).toBeDefined();
    expect(calendar.activeFor({ environment: 'production', target: 'shop' }, Date.parse('2026-11-25T19:00:00Z'))).toBeUndefined();
    expect(calendar.active(during).map((w) => w.name).sort()).toEqual(['db-upgrade', 'nightly']);
  });

  it('keeps a created window across a restart and records who made it', async () => {
    const calendar = await open();
    const { window: created } = await calendar.create({ name: 'switch swap', start: clock + HOUR_MS, end: clock + 2 * HOUR_MS, targets: ['api'] }, op);
    expect(created).toMatchObject({ source: 'api', createdBy: 'op', createdAt: clock, environments: [], targets: ['api'] });
    expect(created.message.en).toContain('Maintenance in progress');

    await storage.close();
    storage = await openStorage({ dataDir, log: () => {} });
    const reopened = await open();
    expect(reopened.activeFor({ environment: 'integration', target: 'api' }, clock + 90 * 60_000)).toEqual(created);
    expect(reopened.activeFor({ target: 'web' }, clock + 90 * 60_000)).toBeUndefined();

    // A change is an event too: after another restart the window has its new end and who changed it.
    await reopened.update(created.id, { name: 'switch swap', start: clock + HOUR_MS, end: clock + 3 * HOUR_MS, targets: ['api'] }, { name: 'op2', role: 'operator' });
    await storage.close();
    storage = await openStorage({ dataDir, log: () => {} });
    expect((await open()).find(created.id)).toMatchObject({ end: clock + 3 * HOUR_MS, createdBy: 'op', updatedBy: 'op2' });
  });

  it('cancels a window and an occurrence of a recurring one, as events with the actor', async () => {
    const calendar = await open();
    const { window: created } = await calendar.create({ name: 'to cancel', start: clock + HOUR_MS, end: clock + 2 * HOUR_MS }, op);
    await calendar.cancel(created.id, op);
    await calendar.cancel(created.id, op); // twice: no second event
    expect(calendar.occurrences(clock, clock + 3 * HOUR_MS).map((w) => w.id)).not.toContain(created.id);
    await expect(calendar.cancel('no-such-window', op)).rejects.toMatchObject({ status: 404, code: 'not_found' });

    const occurrence = 'nightly@2026-11-25T18:00:00.000Z';
    await calendar.cancel(occurrence, op);
    expect(calendar.activeFor({ environment: 'staging' }, Date.parse('2026-11-25T18:10:00Z'))).toBeUndefined();
    expect(calendar.activeFor({ environment: 'staging' }, Date.parse('2026-11-26T18:10:00Z'))?.id).toBe('nightly@2026-11-26T18:00:00.000Z');

    const events = await storage.query<{ window_id: string; event: string; actor: string }>(sql`SELECT window_id, event, actor FROM maintenance_events WHERE event = 'cancelled' ORDER BY at`);
    expect(events).toHaveLength(2);
    expect(events).toEqual(
      expect.arrayContaining([
        { window_id: created.id, event: 'cancelled', actor: 'op' },
        { window_id: occurrence, event: 'cancelled', actor: 'op' },
      ]),
    );
    const reopened = await open();
    expect(reopened.find(created.id)).toBeUndefined();
    expect(reopened.find('nightly@2026-11-26T18:00:00.000Z')).toBeDefined();
  });

  it('refuses windows that are inverted, too long or already over', async () => {
    const calendar = await open();
    await expect(calendar.create({ name: 'x', start: clock + HOUR_MS, end: clock }, op)).rejects.toMatchObject({ status: 400, details: [{ field: 'end' }] });
    await expect(calendar.create({ name: 'x', start: clock, end: clock + 8 * 24 * HOUR_MS }, op)).rejects.toMatchObject({ code: 'window_too_long' });
    await expect(calendar.create({ name: 'x', start: clock - 2 * HOUR_MS, end: clock - HOUR_MS }, op)).rejects.toMatchObject({ code: 'window_over' });
  });

  it('gives the merged minutes under maintenance for a target', async () => {
    const calendar = await open();
    const from = Date.parse('2026-11-25T17:00:00Z');
    const to = Date.parse('2026-11-25T20:00:00Z');
    // db-upgrade 17:00–19:00 UTC covers production/shop; nightly is for staging only.
    expect(calendar.excludedMinutes('production', 'shop', from, to)).toEqual([[from, Date.parse('2026-11-25T19:00:00Z')]]);
    expect(calendar.excludedMinutes('production', 'blog', from, to)).toEqual([]);
  });
});
