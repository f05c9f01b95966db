import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/load.ts';
import { openStorage, type Storage } from './storage/client.ts';
import { BatchedWriter, TELEMETRY_TABLES } from './storage/writer.ts';
import { AuditQueueSealer, AuditTrail, QueuedAudit, type AuditSink } from './audit/index.ts';
import { roleFrom, roleWithoutServer, type Role } from './scale-out/role.ts';
import { TableFollower } from './scale-out/follower.ts';
import { openApprovals, type Approvals } from './approvals/index.ts';
import { handoverExport } from './handover-bundle/export.ts';
import { HandoverLedger } from './handovers/index.ts';
import { ReleaseBook } from './releases/index.ts';
import { PatternMiner } from './patterns/index.ts';
import { KnownIncidents } from './known-incidents/index.ts';
import { AccountReview } from './auth/account-review.ts';
import { applyRetention } from './storage/retention.ts';
import { createMetrics } from './health/metrics.ts';
import { EventBus } from './shared/event-bus.ts';
import { RecentKeys, KEY_MEMORY_MS } from './ingest/idempotency.ts';
import { resolveIngestTokens } from './ingest/tokens.ts';
import { sql, ts } from './storage/sql.ts';
import { buildApp } from './app.ts';
import { openAlerting, type Alerting } from './alerting.ts';
import { accountDeletion, openAccounts, resolveApiKeys, type AccountsRuntime } from './auth/index.ts';
import { withDashboardApp } from './faro/index.ts';

export interface RuntimeOptions {
  config: Config;
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  logger?: Logger | false;
  now?: () => number;
  version?: string;
}

export interface Runtime {
  app: FastifyInstance;
  review: AccountReview;
  approvals: Approvals;
  trail: AuditSink;
  role: Role;
  /** Rows read back from the tables (roles primary and replica). */
  follower?: TableFollower;
  accounts: AccountsRuntime;
  storage: Storage;
  writer: BatchedWriter;
  bus: EventBus;
  alerting: Alerting;
  /** Learns log patterns in the background (issue 18). */
  miner: PatternMiner;
  known: KnownIncidents;
  /** Stops taking requests, loads what was accepted, closes the store. */
  close(): Promise<void>;
}

/** Opens storage (migrations, retention, write-ahead log replay) and builds the app on it. */
export async function openRuntime(options: RuntimeOptions): Promise<Runtime> {
  const env = options.env ?? process.env;
  const log = options.logger || undefined;
  const info = (msg: string) => log?.info(msg);
  const dataDir = path.resolve(options.dataDir);
  const storage = await openStorage({ dataDir, clickhouseUrl: env.CLICKHOUSE_URL, cluster: env.CLICKHOUSE_CLUSTER, log: info });
  const role = roleFrom(env);
  const alone = roleWithoutServer(role, env);
  if (alone) log?.warn(alone);
  // One writer of the audit chain: a replica queues its entries for the primary to seal.
  const chain = role === 'replica' ? undefined : await AuditTrail.open(storage, dataDir, { flushIntervalMs: options.config.ingest.flushIntervalMs, onError: (error) => log?.error({ err: error }, 'writing the audit trail into ClickHouse failed; entries stay in wal/audit_log') });
  const trail: AuditSink = chain ?? new QueuedAudit(storage);
  const sealing: { sealer?: AuditQueueSealer } = {}; // made once the rest is up; the exports' flush asks it
  // An export of the trail includes the replicas' entries waiting to be sealed.
  const flushAudit = async () => {
    await sealing.sealer?.sealQueued();
    await trail.flush();
  };
  const approvals = await openApprovals(storage, dataDir, { now: options.now ?? Date.now, flushAudit, log: (msg) => log?.warn(msg) });
  if (role !== 'replica') await applyRetention(storage, options.config.retention, info, (change) => approvals.askToShorten(change));
  const metrics = createMetrics();
  const writer = await BatchedWriter.open(storage, dataDir, options.config.ingest, {
    loaded: (kind, rows, _bytes, seconds) => {
      metrics.storageLoadedRows.inc({ kind }, rows);
      metrics.storageLoadSeconds.observe({ kind }, seconds);
    },
    retrying: (kind, error, delayMs) => {
      metrics.storageRetries.inc({ kind });
      log?.warn({ kind, err: error, delayMs }, 'loading accepted rows into ClickHouse failed; will retry');
    },
    setAside: (kind, { file, rows, token, reason }) => {
      metrics.storageSetAside.inc({ kind, token }, rows);
      log?.error({ kind, file, rows, token, reason }, 'ClickHouse refused the rows of one request; they are set aside (mimamori wal inspect)');
    },
  });
  const recentKeys = new RecentKeys();
  const now = options.now ?? Date.now;
  const keys = await storage.query<{ key: string; rows: number; at: string }>(sql`
    SELECT key, rows, toUnixTimestamp64Milli(received_at) AS at FROM ingest_batches
    WHERE received_at > ${ts(now() - KEY_MEMORY_MS)} ORDER BY received_at LIMIT 200000`);
  for (const k of keys) recentKeys.remember(k.key, k.rows, Number(k.at));
  const tokens = resolveIngestTokens(options.config.ingestTokens, env, dataDir);
  const bus = new EventBus();
  const ingestLag = () => TELEMETRY_TABLES.map((table) => ({ table, environment: options.config.agent.environment, stalledMs: writer.lag(table).stalledMs }));
  const alerting = await openAlerting({ config: options.config, storage, bus, metrics, dataDir, now, logger: log, ingestLag, acts: role !== 'replica' });
  const apiKeys = resolveApiKeys(options.config.apiKeys, dataDir);
  const faro = withDashboardApp(options.config.faro, dataDir, options.config.environments);
  const accounts = openAccounts({ storage, settings: options.config.accounts, dataDir, publicUrl: options.config.publicUrl, now });
  const handovers = await HandoverLedger.open(storage, now);
  const releases = await ReleaseBook.open(storage, now);
  const miner = PatternMiner.open(storage, dataDir, { settleMs: 5000, batchLines: 20_000, intervalMs: 1000, now, log: (msg, error) => log?.warn({ err: error }, msg) });
  const known = await KnownIncidents.open(storage, alerting.ledger, alerting.workarounds, now, (msg, error) => log?.warn({ err: error }, msg));
  // With several instances, rows reach the rules and the wall from the tables (whichever instance took them), not from this door.
  const ingestBus = role === 'all' ? bus : new EventBus();
  const app = await buildApp({ config: options.config, dataDir, accounts, trail, approvals, handovers, releases, miner, known, storage, writer, metrics, bus, ingestBus, role, tokens: () => tokens, apiKeys: () => apiKeys, alerting, faro, recentKeys, logger: options.logger, now: options.now, version: options.version });
  const follower = role === 'all' ? undefined : new TableFollower(storage, bus, { intervalMs: 200, settleMs: 200, batchRows: 10_000, log: (msg, error) => log?.warn({ err: error }, msg), announced: (kind, rows) => metrics.followed.inc({ kind }, rows) });
  const sealer = (sealing.sealer = role === 'primary' && chain ? new AuditQueueSealer(storage, chain, dataDir, { intervalMs: 200, log: (msg, error) => log?.warn({ err: error }, msg) }) : undefined);
  const review = new AccountReview({ users: accounts.accounts.users, deliveries: alerting.deliveries, storage, reviewAfterMs: options.config.accounts.reviewUnusedAfterMs, timezone: options.config.timezone, publicUrl: options.config.publicUrl, now });
  accounts.accounts.sessions.start();
  accounts.tokens.start();
  approvals.operations.register(accountDeletion(accounts.accounts));
  approvals.operations.register(handoverExport({ storage, miner, known, now, version: options.version ?? '0.0.0' }));
  await follower?.start();
  const runs = { evaluator: false, mailer: false, escalation: false, miner: false, approvals: false, account_review: false, follower: Boolean(follower), audit_sealer: Boolean(sealer) };
  if (role !== 'replica') {
    await alerting.start();
    approvals.start();
    review.start();
    sealer?.start();
    if (options.config.patterns.enabled) miner.start();
    // Closes whose links a crash interrupted; in the background, as the evidence is read from the tables.
    void known.reconcile().catch((error) => log?.warn({ err: error }, 'linking closed tickets to their evidence failed; retried at the next start'));
    Object.assign(runs, { evaluator: true, mailer: true, escalation: true, approvals: true, account_review: true, miner: options.config.patterns.enabled });
  }
  metrics.role.set({ role }, 1);
  for (const [component, running] of Object.entries(runs)) metrics.component.set({ component }, running ? 1 : 0);
  let closed = false;
  return {
    app,
    review,
    approvals,
    trail,
    role,
    follower,
    accounts,
    storage,
    writer,
    bus,
    alerting,
    miner,
    known,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      approvals.stop();
      review.stop();
      accounts.accounts.sessions.stop();
      accounts.tokens.stop();
      await follower?.stop();
      await sealer?.stop();
      await alerting.stop();
      await miner.stop();
      await writer.close();
      await trail.close();
      await storage.close();
    },
  };
}
