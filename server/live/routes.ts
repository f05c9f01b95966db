import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Alerting } from '../alerting.ts';
import type { Config } from '../config/load.ts';
import type { Storage } from '../storage/client.ts';
import type { EventBus, IngestedEvent } from '../shared/event-bus.ts';
import { badRequest } from '../http/errors.ts';
import { WallDocument, WallQuery } from './schemas.ts';
import { WallStream, type StreamTiming } from './stream.ts';
import { RecentReadings } from './tiles.ts';
import { buildWall, narrowWall, type WallDeps } from './wall.ts';
import { StreamLimits } from './stream-limits.ts';

export interface LiveOptions {
  storage: Storage;
  bus: EventBus;
  alerting: Alerting;
  config: Config;
  now?: () => number;
  timing?: Partial<StreamTiming>;
  /** Counts each GET /api/v1/wall: served from the live document (`true`) or from a build it waited for. */
  served?: (live: boolean) => void;
  /** How often an open stream asks whether its credential still holds (a disabled user's wall goes dark). */
  recheckMs?: number;
}

/** The wall screen: one aggregated document, and the same as a Server-Sent Events stream. */
export async function liveRoutes(fastify: FastifyInstance, options: LiveOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { bus, config } = options;
  const recent = new RecentReadings();
  const remember = (event: IngestedEvent) => event.kind === 'probes' && recent.add(event.records);
  bus.on('ingested', remember);
  const deps: WallDeps = { storage: options.storage, alerting: options.alerting, config, now: options.now ?? Date.now, recent };
  const stream = new WallStream({
    build: () => buildWall(deps),
    bus,
    now: deps.now,
    timing: { settleMs: config.ingest.flushIntervalMs + 100, ...options.timing },
    onError: (error) => app.log.error({ err: error }, 'building the wall document failed'),
  });
  // preClose, not onClose: the server waits for open responses before onClose runs, and a stream never ends by itself.
  app.addHook('preClose', async () => {
    stream.close();
    bus.off('ingested', remember);
  });

  const environmentOf = (environment: string | undefined) => {
    if (environment !== undefined && !config.environments.includes(environment)) {
      throw badRequest('unknown_environment', `"${environment}" is not one of the environments (${config.environments.join(', ')})`, [{ field: 'environment', reason: 'unknown' }]);
    }
    return environment;
  };

  // From the live document, rebuilt at most once a second whoever asks (the stream or this route).
  app.get('/api/v1/wall', { config: { access: 'display' }, schema: { tags: ['read'], summary: 'Everything the wall screen shows, in one document (at most 1 s old); `target` keeps one tile', querystring: WallQuery, response: { 200: WallDocument } } }, async (request) => {
    const environment = environmentOf(request.query.environment);
    const { doc, live } = await stream.document();
    options.served?.(live);
    const view = narrowWall(doc, environment);
    const target = request.query.target;
    return target === undefined ? view : { ...view, targets: view.targets.filter((t) => t.target === target) };
  });

  const limits = new StreamLimits({ perAddress: config.http.maxStreamsPerAddress, perCredential: config.http.maxStreamsPerCredential });
  app.get('/api/v1/wall/stream', { config: { access: 'display' }, schema: { tags: ['read'], summary: 'The wall document as Server-Sent Events: at once, after ingest (at most 1/s) and every 10 s; 429 past the per-address or per-credential limit', querystring: WallQuery } }, (request, reply) => {
    const environment = environmentOf(request.query.environment);
    const release = limits.admit(request.ip, request.credential);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' });
    raw.write('retry: 3000\n\n');
    // A client that cannot keep up skips frames: the next document supersedes the missed one.
    const unsubscribe = stream.subscribe({ environment, write: (chunk) => void (raw.writableNeedDrain || raw.write(chunk)), end: () => raw.end() });
    // A session that ends (sign-out, a disabled user) or a revoked token ends its streams too.
    const stillValid = request.credentialValid as (() => Promise<boolean>) | undefined; // absent in an app without accounts (tests)
    const recheck = setInterval(() => void stillValid?.().then((ok) => ok || raw.end()), options.recheckMs ?? 1000);
    raw.on('close', () => {
      clearInterval(recheck);
      unsubscribe();
      release();
    });
  });
}
