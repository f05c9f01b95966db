import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/load.ts';
import type { Storage } from './storage/client.ts';
import type { BatchedWriter } from './storage/writer.ts';
import type { Metrics } from './health/metrics.ts';
import type { EventBus } from './shared/event-bus.ts';
import type { IngestToken } from './ingest/auth.ts';
import type { RecentKeys } from './ingest/idempotency.ts';
import { refuseNonFiniteParameters, registerErrorHandler } from './http/errors.ts';
import { registerSecurityHeaders } from './http/security-headers.ts';
import { limitBodyTime } from './http/body-timeout.ts';
import { auditRoutes, recordActions, type AuditSink } from './audit/index.ts';
import { approvalRoutes, type Approvals } from './approvals/index.ts';
import { handoverRoutes, type HandoverLedger } from './handovers/index.ts';
import { registerOpenApi } from './http/openapi.ts';
import { dashboardRoutes } from './http/dashboard.ts';
import { ingestRoutes } from './ingest/routes.ts';
import { BodyBudget } from './ingest/decode.ts';
import { createJudge } from './ingest/judge.ts';
import { reportRoutes } from './reports/routes.ts';
import { releaseRoutes, type ReleaseBook } from './releases/index.ts';
import { patternRoutes, type PatternMiner } from './patterns/index.ts';
import { knownIncidentRoutes, type KnownIncidents } from './known-incidents/index.ts';
import { learnedStateRoutes } from './learned/index.ts';
import { setAsideRoutes } from './ingest/set-aside-routes.ts';
import { apiRoutes } from './api/routes.ts';
import { healthRoutes } from './health/routes.ts';
import type { Alerting } from './alerting.ts';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import { accountRoutes, enforceAccess, identifyActors, requireActor, type AccountsRuntime, type ApiKey, type RouteTable } from './auth/index.ts';
import { ledgerRoutes } from './ledger/routes.ts';
import { ackRoutes } from './ledger/ack-routes.ts';
import { alertRoutes } from './rules/routes.ts';
import { maintenanceRoutes } from './maintenance/index.ts';
import { notificationRoutes } from './notify/routes.ts';
import { silenceRoutes } from './notify/silences.ts';
import { faroRoutes, type ResolvedFaro } from './faro/index.ts';
import { uiConfigRoutes } from './http/ui-config.ts';
import { liveRoutes } from './live/index.ts';
import { refuseOnReplica, type Role } from './scale-out/role.ts';

export interface AppDeps {
  config: Config;
  dataDir: string;
  storage: Storage;
  writer: BatchedWriter;
  metrics: Metrics;
  bus: EventBus;
  /** Where the ingest door announces rows: the bus itself, or (primary, replica) a bus nobody follows, the rows then announced from the tables. */
  ingestBus?: EventBus;
  /** MIMAMORI_ROLE: a replica answers telemetry, log search and series, and refuses the rest with 421. */
  role?: Role;
  tokens: () => readonly IngestToken[];
  apiKeys: () => readonly ApiKey[];
  accounts: AccountsRuntime;
  trail: AuditSink;
  approvals: Approvals;
  handovers: HandoverLedger;
  releases: ReleaseBook;
  miner: PatternMiner;
  known: KnownIncidents;
  alerting: Alerting;
  faro: ResolvedFaro;
  recentKeys: RecentKeys;
  logger?: Logger | false;
  now?: () => number;
  version?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with the access it declares (`open`: on the reviewed list). */
    routeTable: RouteTable;
  }
}

/** Builds the HTTP app from its capabilities, one line each, in data-path order. Never listens. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // Request lines would drown the log at ingest rates; errors are still logged.
  // A misspelt field is refused with 400, not silently dropped (fastify's default would strip it).
  // Slow senders are cut off: headers must arrive within http.header_timeout (Node checks
  // every second), a body within http.body_timeout (per route, http/body-timeout.ts: Node's
  // server-wide requestTimeout is off so that streaming uploads can keep their own limits).
  const { http } = deps.config;
  const common = {
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false as const } },
    requestTimeout: 0,
    // A hop count is valid for fastify (proxy-addr), though its types name only strings and booleans.
    trustProxy: http.trustProxy as boolean | string | string[],
    keepAliveTimeout: http.keepAliveTimeoutMs,
    http: { headersTimeout: http.headerTimeoutMs, connectionsCheckingInterval: 1000 },
  };
  const app = (deps.logger ? Fastify({ ...common, loggerInstance: deps.logger }) : Fastify({ ...common, logger: false })) as unknown as FastifyInstance;
  registerErrorHandler(app);
  refuseNonFiniteParameters(app);
  limitBodyTime(app, http.bodyTimeoutMs);
  await registerOpenApi(app, deps.version ?? '0.0.0');
  await registerSecurityHeaders(app, { https: deps.accounts.secure });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  identifyActors(app, deps.apiKeys, deps.accounts.accounts.sessions, deps.accounts.tokens);
  const routeTable = enforceAccess(app, { metricsPublic: deps.config.metricsPublic, adminRanges: deps.config.http.adminAllow });
  app.decorate('routeTable', routeTable);
  recordActions(app, deps.trail, deps.now ?? Date.now);
  if (deps.role === 'replica') refuseOnReplica(app);

  const isDisplayToken = async (token: string) => (await deps.accounts.tokens.check(token))?.kind === 'display';
  await app.register(dashboardRoutes, { isDisplayToken, secure: deps.accounts.secure });
  const { retention } = deps.config;
  const judge = createJudge({ environments: deps.config.environments, limits: deps.config.ingest, retentionDays: { logs: retention.logsDays, metrics: retention.metricsDays, probes: retention.probesDays }, now: deps.now ?? Date.now });
  const issuedToken = async (bearer: string, address: string) => {
    const grant = await deps.accounts.tokens.check(bearer, address);
    return grant?.kind === 'ingest' ? grant.name : undefined;
  };
  await app.register(ingestRoutes, { writer: deps.writer, tokens: deps.tokens, issuedToken, judge, limits: deps.config.ingest, budget: new BodyBudget(deps.config.ingest.maxInflightBytes), recentKeys: deps.recentKeys, metrics: deps.metrics, bus: deps.ingestBus ?? deps.bus, now: deps.now });
  await app.register(faroRoutes, { storage: deps.storage, faro: deps.faro, publicUrl: deps.config.publicUrl, now: deps.now });
  await app.register(apiRoutes, { storage: deps.storage, now: deps.now });
  const now = deps.now ?? Date.now;
  await app.register(accountRoutes, { ...deps.accounts, now, adminRanges: deps.config.http.adminAllow, requests: deps.approvals.requests });
  await app.register(auditRoutes, { storage: deps.storage, trail: deps.trail, now });
  await app.register(approvalRoutes, deps.approvals);
  await app.register(handoverRoutes, { ledger: deps.handovers });
  const { alerting } = deps;
  await app.register(alertRoutes, { store: alerting.store, evaluator: alerting.evaluator, rules: deps.config.rules });
  await app.register(ledgerRoutes, { ledger: alerting.ledger, workarounds: alerting.workarounds, escalator: alerting.escalator, requireActor, environments: deps.config.environments, announceWorkaround: alerting.announceWorkaround });
  await app.register(notificationRoutes, { storage: deps.storage });
  await app.register(silenceRoutes, { silences: alerting.silences, requireActor });
  await app.register(ackRoutes, { ledger: alerting.ledger, links: alerting.ackLinks, now });
  await app.register(setAsideRoutes, { dataDir: deps.dataDir, writer: deps.writer, judge, requireActor });
  await app.register(maintenanceRoutes, { calendar: alerting.calendar, requireActor, storage: deps.storage, timezone: deps.config.timezone, environments: deps.config.environments, now });
  await app.register(liveRoutes, { storage: deps.storage, bus: deps.bus, alerting, config: deps.config, now: deps.now, served: (live) => deps.metrics.wallRequests.inc({ source: live ? 'live' : 'built' }) });
  await app.register(uiConfigRoutes, { config: deps.config, faro: deps.faro, version: deps.version ?? '0.0.0' });
  const reportDeps = { storage: deps.storage, ledger: alerting.ledger, calendar: alerting.calendar, timezone: deps.config.timezone, rules: deps.config.rules, sloObjectivePercent: deps.config.sloObjectivePercent, capacity: deps.config.capacity, releases: deps.releases, now };
  await app.register(reportRoutes, { deps: reportDeps, environments: deps.config.environments });
  await app.register(patternRoutes, { storage: deps.storage, miner: deps.miner, now });
  await app.register(knownIncidentRoutes, { known: deps.known });
  await app.register(learnedStateRoutes, { storage: deps.storage, miner: deps.miner, known: deps.known, now, version: deps.version ?? '0.0.0' });
  const { releases } = deps.config;
  await app.register(releaseRoutes, { book: deps.releases, criteria: releases, environments: deps.config.environments, uploadMaxBytes: releases.uploadMaxBytes, uploadIdleMs: releases.uploadIdleTimeoutMs, timezone: deps.config.timezone, tokens: deps.tokens, issuedToken });
  await app.register(healthRoutes, { storage: deps.storage, writer: deps.writer, metrics: deps.metrics, stallAfterMs: deps.config.ingest.stallAfterMs, miner: deps.miner });
  return app;
}
