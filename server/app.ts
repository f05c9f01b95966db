import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/load.ts';
import type { Storage } from './storage/client.ts';
import type { BatchedWriter } from './storage/writer.ts';
import type { Metrics } from './health/metrics.ts';
import type { EventBus } from './shared/event-bus.ts';
import type { IngestToken } from './ingest/auth.ts';
import type { RecentKeys } from './ingest/idempotency.ts';
import { registerErrorHandler } from './http/errors.ts';
import { registerOpenApi } from './http/openapi.ts';
import { homeRoutes } from './http/home.ts';
import { ingestRoutes } from './ingest/routes.ts';
import { apiRoutes } from './api/routes.ts';
import { healthRoutes } from './health/routes.ts';

export interface AppDeps {
  config: Config;
  storage: Storage;
  writer: BatchedWriter;
  metrics: Metrics;
  bus: EventBus;
  tokens: () => readonly IngestToken[];
  recentKeys: RecentKeys;
  logger?: Logger | false;
  now?: () => number;
  version?: string;
}

/** Builds the HTTP app from its capabilities, one line each, in data-path order. Never listens. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // Request lines would drown the log at ingest rates; errors are still logged.
  const common = { logController: new LogController({ disableRequestLogging: true }), return503OnClosing: true };
  const app = (deps.logger ? Fastify({ ...common, loggerInstance: deps.logger }) : Fastify({ ...common, logger: false })) as unknown as FastifyInstance;
  registerErrorHandler(app);
  await registerOpenApi(app, deps.version ?? '0.0.0');

  await app.register(homeRoutes);
  await app.register(ingestRoutes, { writer: deps.writer, tokens: deps.tokens, environments: deps.config.environments, limits: { ...deps.config.ingest }, retentionDays: { logs: deps.config.retention.logsDays, metrics: deps.config.retention.metricsDays, probes: deps.config.retention.probesDays }, recentKeys: deps.recentKeys, metrics: deps.metrics, bus: deps.bus, now: deps.now });
  await app.register(apiRoutes, { storage: deps.storage, now: deps.now });
  await app.register(healthRoutes, { storage: deps.storage, writer: deps.writer, metrics: deps.metrics });
  return app;
}
