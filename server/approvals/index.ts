import type { Storage } from '../storage/client.ts';
import type { ShorterRetention } from '../storage/retention.ts';
import { exportAudit, exportLedger, exportTelemetry, purgeTelemetry, shortenRetention } from './data-operations.ts';
import { OperationRegistry } from './operations.ts';
import { Requests } from './requests.ts';

export { approvalRoutes } from './routes.ts';
export { OperationRegistry, type Bilingual, type Operation, type RunContext, type RunResult } from './operations.ts';
export type { Requests, RequestView } from './requests.ts';

export interface Approvals {
  requests: Requests;
  operations: OperationRegistry;
  /** The config shortens a retention: ask for approval (once) instead of deleting data now. */
  askToShorten(change: ShorterRetention): Promise<void>;
  /** Runs what was approved but not run before a stop; then expires undecided requests and deletes old exports, every hour. Call once every capability registered its operations. */
  start(): void;
  stop(): void;
}

const SYSTEM = { name: 'mimamori', role: 'system' };

/** Four-eyes approvals with this server's operations registered; later capabilities register theirs on `operations`. */
export async function openApprovals(
  storage: Storage,
  dataDir: string,
  options: { now: () => number; flushAudit: () => Promise<void>; log?: (msg: string) => void },
): Promise<Approvals> {
  const { now, flushAudit, log } = options;
  const operations = new OperationRegistry();
  for (const op of [exportTelemetry, exportAudit, exportLedger, purgeTelemetry, shortenRetention]) operations.register(op as never);
  const requests = await Requests.open(storage, operations, dataDir, now, flushAudit);
  let timer: NodeJS.Timeout | undefined;
  return {
    requests,
    operations,
    async askToShorten(change) {
      const params = { table: change.table, fromDays: change.fromDays, toDays: change.toDays };
      if (requests.pending('retention.shorten', params)) return;
      const made = await requests.create('retention.shorten', params, `retention in the configuration is shorter than the table's (${change.fromDays} → ${change.toDays} days)`, SYSTEM);
      log?.(`retention of ${change.table} stays ${change.fromDays} days until ${made.id} (→ ${change.toDays} days) is approved by an approver or administrator`);
    },
    start() {
      requests.resume();
      timer = setInterval(() => void requests.sweep().catch(() => undefined), 3_600_000);
      timer.unref();
      void requests.sweep().catch(() => undefined);
    },
    stop() {
      clearInterval(timer);
    },
  };
}
