import type { FastifyInstance } from 'fastify';
import { AppError } from '../http/errors.ts';
import { COLLECT_PATH } from '../faro/index.ts';

/**
 * What this instance does (MIMAMORI_ROLE, DESIGN.md "Scale-out"):
 * - all: everything, alone (the default);
 * - primary: rules, notifications, escalation, the ledger, approvals, the
 *   pattern miner and the one audit chain, plus ingest and reads;
 * - replica: ingest (its own write-ahead log) and reads only.
 * Primary and replicas share one ClickHouse (a cluster) and learn of each
 * other's rows from its tables.
 */
export type Role = 'all' | 'primary' | 'replica';
const ROLES: readonly Role[] = ['all', 'primary', 'replica'];

export function roleFrom(env: NodeJS.ProcessEnv): Role {
  const value = (env.MIMAMORI_ROLE ?? 'all').trim() || 'all';
  if (!ROLES.includes(value as Role)) throw new Error(`MIMAMORI_ROLE=${value}: must be one of ${ROLES.join(', ')}`);
  return value as Role;
}

/** Said at start when a role is set without a ClickHouse server: chDB lets one process open a data directory, so no other instance can share it. */
export const roleWithoutServer = (role: Role, env: NodeJS.ProcessEnv) =>
  role !== 'all' && !env.CLICKHOUSE_URL ? `MIMAMORI_ROLE=${role} on the embedded engine: no other instance can share this data directory; instances share a ClickHouse server (CLICKHOUSE_URL)` : undefined;

/**
 * What a replica answers besides telemetry: reads served straight from the
 * tables (log search, series), who is signed in (sessions live in
 * ClickHouse), and its own health. Everything else reads state a primary
 * keeps in memory (alerts, the ledger, requests, silences…), which a
 * replica would only know as of its own start.
 */
const REPLICA_READS = ['/api/v1/logs', '/api/v1/series', '/api/v1/session', '/healthz', '/readyz', '/metrics'];
/** Reads, and the browsers' CORS preflight. */
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const servedByReplica = (method: string, url: string) => {
  const route = url.split('?')[0]!;
  if (method === 'POST' && route.startsWith('/api/v1/ingest/')) return true;
  if ((method === 'POST' || method === 'OPTIONS') && route === COLLECT_PATH) return true; // with the browsers' CORS preflight
  return READ_METHODS.has(method) && REPLICA_READS.some((p) => route === p || route.startsWith(`${p}/`));
};

/** A replica takes telemetry and the reads above; anything else belongs to the primary, and it says so (the proxy sends it there). */
export function refuseOnReplica(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (servedByReplica(request.method, request.url)) return;
    throw new AppError(421, 'replica', 'this instance is a replica (telemetry, log search and series only): send this to the primary (the reverse proxy does)', [{ reason: 'MIMAMORI_ROLE=replica' }]);
  });
}
