import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Storage } from '../storage/client.ts';
import { AppError } from '../http/errors.ts';
import { ErrorBody } from '../ingest/schemas.ts';
import { checkStep, parseTimeRange } from '../shared/time-range.ts';
import { DASHBOARD_APP, type ResolvedFaro } from './config.ts';
import { COLLECT_PATH, DEFAULT_MAX_BODY_BYTES, collectRoutes } from './collect.ts';
import { rumSeries, rumSummary } from './queries.ts';
import { FaroClientConfig, RumSeriesQuery, RumSeriesResponse, RumSummaryQuery, RumSummaryResponse } from './schemas.ts';

export interface FaroRoutesOptions {
  storage: Storage;
  faro: ResolvedFaro;
  /** Mimamori's own address (public_url): what an app's "self" origin means. */
  publicUrl: string;
  now?: () => number;
  /** Larger bodies are refused with 413 (default 256 KiB). */
  maxBodyBytes?: number;
}

const DAY_MS = 86_400_000;
const MAX_POINTS = 20_000;

/** Faro real-user monitoring: the collector endpoint and the read models built on it. */
export async function faroRoutes(fastify: FastifyInstance, options: FaroRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { storage, faro } = options;
  const now = options.now ?? Date.now;

  await app.register(collectRoutes, { storage, faro, now, publicUrl: options.publicUrl, maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES });

  app.get('/api/v1/faro/client-config', { schema: { tags: ['read'], summary: 'What Mimamori\'s own dashboard passes to initializeFaro', response: { 200: FaroClientConfig, 404: ErrorBody } } }, async () => {
    const own = faro.apps.find((a) => a.name === DASHBOARD_APP);
    if (!own) throw new AppError(404, 'not_found', 'the dashboard\'s Faro app is not configured', []);
    return { url: COLLECT_PATH, apiKey: own.key, app: own.name, environment: own.environment };
  });

  app.get('/api/v1/rum/series', { config: { access: 'viewer' }, schema: { tags: ['read'], summary: 'Page-load time or a web vital per step: count, p50, p95', querystring: RumSeriesQuery, response: { 200: RumSeriesResponse } } }, async (request) => {
    const q = request.query;
    const range = parseTimeRange(q, now(), DAY_MS);
    const step = q.step ?? 60;
    checkStep(range, step, MAX_POINTS);
    const points = await rumSeries(storage, { ...range, environment: q.environment, app: q.app, page: q.page, name: q.name, step });
    return { name: q.name, step, from: range.from, to: range.to, points };
  });

  app.get('/api/v1/rum/summary', { config: { access: 'viewer' }, schema: { tags: ['read'], summary: 'Per app and page: page loads, load time and web vitals (p75, p95), errors', querystring: RumSummaryQuery, response: { 200: RumSummaryResponse } } }, async (request) => {
    const range = parseTimeRange(request.query, now(), DAY_MS);
    return { ...range, pages: await rumSummary(storage, { ...range, environment: request.query.environment }) };
  });
}
