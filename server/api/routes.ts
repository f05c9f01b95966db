import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Storage } from '../storage/client.ts';
import { badRequest } from '../http/errors.ts';
import { checkStep, parseTimeRange } from '../shared/time-range.ts';
import { LogsQuery, LogsResponse, SeriesQuery, SeriesResponse } from './schemas.ts';
import { metricSeries, probeSeries, resolutionFor, searchLogs, type LogFilter } from './queries.ts';
import { patternCatalogue, templateRegex } from '../patterns/queries.ts';

export interface ApiOptions {
  storage: Storage;
  now?: () => number;
}

const DAY_MS = 86_400_000;
const MAX_POINTS = 20_000;

/** Read models for the dashboard and the rules: logs and time series. */
export async function apiRoutes(fastify: FastifyInstance, options: ApiOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { storage } = options;
  const now = options.now ?? Date.now;

  /** A learned pattern (or what it was generalised into) as the lines' filter: its service, and its template as an expression. */
  const patternFilter = async (environment: string | undefined, id: string) => {
    if (!environment) throw badRequest('missing_parameter', 'pattern needs environment', [{ field: 'environment', reason: 'required with pattern' }]);
    const { byId, resolve } = await patternCatalogue(storage, environment);
    const pattern = byId.get(resolve(id));
    if (!pattern?.template) throw badRequest('unknown_pattern', `no pattern ${id} in ${environment}`, [{ field: 'pattern', reason: 'not found' }]);
    return { service: pattern.service, regex: templateRegex(pattern.template) };
  };

  app.get('/api/v1/logs', { config: { access: 'viewer' }, schema: { tags: ['read'], summary: 'Search logs, newest first, with the total count', querystring: LogsQuery, response: { 200: LogsResponse } } }, async (request) => {
    const q = request.query;
    const filter: LogFilter = {
      ...parseTimeRange(q, now(), DAY_MS),
      environment: q.environment,
      host: q.host,
      service: q.service,
      levels: q.level ? q.level.split(',').map((l) => l.trim().toLowerCase()).filter(Boolean) : undefined,
      text: q.q,
    };
    // A chosen pattern narrows to its service and its template's lines.
    if (q.pattern) Object.assign(filter, await patternFilter(q.environment, q.pattern));
    const limit = q.limit ?? 100;
    return searchLogs(storage, filter, limit, q.offset ?? 0);
  });

  app.get('/api/v1/series', { config: { access: 'viewer' }, schema: { tags: ['read'], summary: 'A probe or metric time series at a chosen step', querystring: SeriesQuery, response: { 200: SeriesResponse } } }, async (request) => {
    const q = request.query;
    const range = parseTimeRange(q, now(), DAY_MS);
    const step = q.step ?? 60;
    checkStep(range, step, MAX_POINTS);
    const resolution = resolutionFor(step);
    const args = { ...range, environment: q.environment, step, resolution };
    let points;
    if (q.source === 'probes') {
      if (!q.target) throw badRequest('missing_parameter', 'target is required for probe series', [{ field: 'target', reason: 'required' }]);
      points = await probeSeries(storage, { ...args, target: q.target });
    } else {
      if (!q.host || !q.name) throw badRequest('missing_parameter', 'host and name are required for metric series', [{ field: q.host ? 'name' : 'host', reason: 'required' }]);
      const label = q.label ? ([q.label.slice(0, q.label.indexOf('=')), q.label.slice(q.label.indexOf('=') + 1)] as [string, string]) : undefined;
      points = await metricSeries(storage, { ...args, host: q.host, name: q.name, label });
    }
    return { source: q.source, resolution, step, from: range.from, to: range.to, points };
  });
}
