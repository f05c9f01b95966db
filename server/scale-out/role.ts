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

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A replica answers reads and takes telemetry; a change (a ticket, a sign-in, an approval) belongs to the primary, and it says so. */
export function refuseChangesOnReplica(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (READS.has(request.method) || request.url.startsWith('/api/v1/ingest/') || request.url.startsWith(COLLECT_PATH)) return;
    throw new AppError(421, 'replica', 'this instance is a replica (ingest and reads only): send changes to the primary (the reverse proxy does)', [{ reason: 'MIMAMORI_ROLE=replica' }]);
  });
}
