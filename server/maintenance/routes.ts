import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { RequireActor } from '../auth/actors.ts';
import type { Storage } from '../storage/client.ts';
import { badRequest } from '../http/errors.ts';
import { MAX_TIME_MS, parseTimeRange } from '../shared/time-range.ts';
import type { MaintenanceCalendar, NewWindow } from './calendar.ts';
import { totalMinutes } from './intervals.ts';
import { maintenancePage, noMaintenancePage } from './page.ts';
import { pickLanguage } from '../shared/language.ts';
import { probeTotals } from './queries.ts';
import { AvailabilityQuery, AvailabilityResponse, CreateBody, IdParams, ListQuery, ListResponse, PageQuery, StatusQuery, StatusResponse, WindowView } from './schemas.ts';
import { windowMatches, type MaintenanceWindow } from './types.ts';
import { parseZonedTime } from './zoned-time.ts';

export interface MaintenanceRoutesOptions {
  calendar: MaintenanceCalendar;
  requireActor: RequireActor;
  storage: Storage;
  timezone: string;
  /** The configured environments; a window naming another is refused. */
  environments: string[];
  now?: () => number;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const MAX_LIST_SPAN_MS = 400 * DAY_MS;
const MAX_REFRESH_SECONDS = 300;
const iso = (ms: number) => new Date(ms).toISOString();

function view(w: MaintenanceWindow): WindowView {
  return {
    id: w.id,
    name: w.name,
    start: iso(w.start),
    end: iso(w.end),
    environments: w.environments,
    targets: w.targets,
    message: w.message,
    source: w.source,
    created_by: w.createdBy,
    created_at: w.source === 'api' ? iso(w.createdAt) : null,
    updated_by: w.updatedBy ?? null,
    updated_at: w.updatedAt ? iso(w.updatedAt) : null,
  };
}

/** Planned maintenance: the public maintenance screen and status, the calendar API and availability. */
export async function maintenanceRoutes(fastify: FastifyInstance, options: MaintenanceRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { calendar, requireActor, storage, timezone, environments } = options;
  const now = options.now ?? Date.now;
  const zonedTime = (text: string, field: string) => {
    const ms = /^\d+$/.test(text) ? Number(text) : parseZonedTime(text, timezone);
    if (ms === undefined || !Number.isFinite(ms) || ms < 0 || ms >= MAX_TIME_MS) throw badRequest('invalid_time', `${field}: "${text}" is not epoch milliseconds or an ISO 8601 time`, [{ field, reason: 'not a time' }]);
    return ms;
  };
  const checkEnvironments = (list: string[] | undefined) =>
    (list ?? []).forEach((env, i) => {
      if (!environments.includes(env)) throw badRequest('unknown_environment', `"${env}" is not one of the environments (${environments.join(', ')})`, [{ field: `environments.${i}`, reason: 'unknown environment' }]);
    });
  const windowOf = (body: CreateBody): NewWindow => ({ name: body.name, start: zonedTime(body.start, 'start'), end: zonedTime(body.end, 'end'), environments: body.environments, targets: body.targets, message: body.message });

  app.get('/maintenance', { schema: { tags: ['maintenance'], summary: 'The maintenance screen: 503 with Retry-After while a window is in force', querystring: PageQuery } }, async (request, reply) => {
    const { environment, target, lang } = request.query;
    const first = pickLanguage(lang, request.headers['accept-language']);
    const at = now();
    const window = calendar.activeFor({ environment, target }, at);
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('vary', 'accept-language');
    if (!window) return reply.code(200).send(noMaintenancePage(first));
    const seconds = Math.max(1, Math.ceil((window.end - at) / 1000));
    return reply.code(503).header('retry-after', String(seconds)).send(maintenancePage(window, first, timezone, Math.min(seconds, MAX_REFRESH_SECONDS)));
  });

  app.get('/api/v1/status', { schema: { tags: ['maintenance'], summary: 'Whether maintenance is in force, and what is planned for the next 7 days', querystring: StatusQuery, response: { 200: StatusResponse } } }, async (request, reply) => {
    const labels = request.query;
    const at = now();
    const matches = (w: MaintenanceWindow) => windowMatches(w, labels);
    const windows = calendar.active(at).filter(matches);
    const upcoming = calendar.occurrences(at, at + 7 * DAY_MS).filter((w) => w.start > at && matches(w));
    reply.header('cache-control', 'no-store');
    return { time: iso(at), timezone, maintenance: windows.length > 0, windows: windows.map(view), upcoming: upcoming.map(view) };
  });

  app.get('/api/v1/maintenance', { config: { access: 'viewer' }, schema: { tags: ['maintenance'], summary: 'Maintenance windows overlapping a range (recurring ones expanded)', querystring: ListQuery, response: { 200: ListResponse } } }, async (request) => {
    const from = request.query.from ? zonedTime(request.query.from, 'from') : now();
    const to = request.query.to ? zonedTime(request.query.to, 'to') : from + 30 * DAY_MS;
    if (to <= from) throw badRequest('invalid_time', '"from" must be before "to"', [{ field: 'from', reason: 'not before to' }]);
    if (to - from > MAX_LIST_SPAN_MS) throw badRequest('range_too_long', 'list at most 400 days at a time', [{ field: 'to', reason: 'more than 400 days after from' }]);
    return { from: iso(from), to: iso(to), windows: calendar.occurrences(from, to).map(view) };
  });

  app.post('/api/v1/maintenance', { config: { access: 'operator' }, schema: { tags: ['maintenance'], summary: 'Declare a maintenance window (operator); a repeated submit with the same Idempotency-Key returns the window it made (200)', headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ description: 'one per form submit: a second submit makes no second window' })) }), body: CreateBody, response: { 200: WindowView, 201: WindowView } } }, async (request, reply) => {
    const actor = requireActor(request, 'operator');
    const body = request.body;
    checkEnvironments(body.environments);
    const key = request.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || !/^[\w-]{8,100}$/.test(key))) throw badRequest('invalid_header', 'Idempotency-Key must be 8–100 letters, digits, "-" or "_"', [{ field: 'Idempotency-Key', reason: 'invalid' }]);
    const { window, created } = await calendar.create(windowOf(body), actor, key);
    // A repeated submit (same key) gets the window it made: 200, not a second window.
    return reply.code(created ? 201 : 200).send(view(window));
  });

  app.put('/api/v1/maintenance/:id', { config: { access: 'operator' }, schema: { tags: ['maintenance'], summary: 'Change a window declared through the API, before it is over (operator)', params: IdParams, body: CreateBody, response: { 200: WindowView } } }, async (request) => {
    const actor = requireActor(request, 'operator');
    checkEnvironments(request.body.environments);
    return view(await calendar.update(request.params.id, windowOf(request.body), actor));
  });

  app.delete('/api/v1/maintenance/:id', { config: { access: 'operator' }, schema: { tags: ['maintenance'], summary: 'Cancel a window, or one occurrence of a recurring one (operator)', params: IdParams } }, async (request, reply) => {
    const actor = requireActor(request, 'operator');
    await calendar.cancel(request.params.id, actor);
    return reply.code(204).send();
  });

  app.get('/api/v1/availability', { config: { access: 'viewer' }, schema: { tags: ['maintenance'], summary: 'Probe availability of a target, declared maintenance left out', querystring: AvailabilityQuery, response: { 200: AvailabilityResponse } } }, async (request) => {
    const q = request.query;
    const range = parseTimeRange(q, now(), 30 * DAY_MS);
    // The rollup's grain: whole minutes.
    const from = Math.floor(range.from / MINUTE_MS) * MINUTE_MS;
    const to = Math.ceil(range.to / MINUTE_MS) * MINUTE_MS;
    const excluded = calendar.excludedMinutes(q.environment, q.target, from, to);
    const totals = await probeTotals(storage, { environment: q.environment, target: q.target, from, to, excluded });
    const percent = totals.probes > 0 ? Math.round((totals.ok / totals.probes) * 100_000) / 1000 : null;
    return { environment: q.environment, target: q.target, from: iso(from), to: iso(to), probes: totals.probes, ok: totals.ok, availability_percent: percent, excluded_minutes: totalMinutes(excluded) };
  });
}
