import type { EventBus } from '../shared/event-bus.ts';
import { repeatEvery } from '../shared/repeat.ts';
import type { Storage } from '../storage/client.ts';
import { sql, ts, typed } from '../storage/sql.ts';

export interface FollowerOptions {
  /** How often the tables are read (ms). */
  intervalMs: number;
  /** Rows stored less than this ago (engine clock) wait for the next read, so an insert still being committed is not skipped. */
  settleMs: number;
  /** Rows per read and table; a burst is read in several. */
  batchRows: number;
  log?: (msg: string, error: unknown) => void;
  /** Rows announced, for /metrics. */
  announced?: (kind: 'probes' | 'metrics', rows: number) => void;
}

const QUERIES = {
  probes: (after: number, limit: number, settle: number) => sql`
    SELECT toUnixTimestamp64Milli(timestamp) AS timestamp, environment, target, url, ok, status, error, dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms, toUnixTimestamp64Milli(stored_at) AS stored
    FROM probes PREWHERE stored_at > ${ts(after)} AND stored_at <= now64(3) - toIntervalMillisecond(${typed(settle, 'UInt32')})
    ORDER BY stored_at LIMIT ${typed(limit, 'UInt32')} WITH TIES`,
  metrics: (after: number, limit: number, settle: number) => sql`
    SELECT toUnixTimestamp64Milli(timestamp) AS timestamp, environment, host, name, labels, value, toUnixTimestamp64Milli(stored_at) AS stored
    FROM metrics PREWHERE stored_at > ${ts(after)} AND stored_at <= now64(3) - toIntervalMillisecond(${typed(settle, 'UInt32')})
    ORDER BY stored_at LIMIT ${typed(limit, 'UInt32')} WITH TIES`,
} as const;
type Kind = keyof typeof QUERIES;

/**
 * Feeds the in-process bus from the tables instead of from this process's
 * own ingest door: with several instances (MIMAMORI_ROLE primary/replica),
 * rows arrive through any of them, and the primary's rules and every wall
 * screen must see them all. Rows are read in the order the engine stored
 * them (`stored_at`), from the moment the follower starts. A row whose
 * insert took longer than `settleMs` to commit is skipped here; the
 * evaluator's periodic run reads it from the table all the same.
 */
export class TableFollower {
  private readonly cursors = new Map<Kind, number>();
  private repeating: { stop(): Promise<void> } | undefined;
  private stopped = false;

  constructor(
    private readonly storage: Storage,
    private readonly bus: EventBus,
    private readonly options: FollowerOptions,
  ) {}

  async start(): Promise<void> {
    const [clock] = await this.storage.query<{ now: number }>(sql`SELECT toUnixTimestamp64Milli(now64(3)) AS now`);
    for (const kind of Object.keys(QUERIES) as Kind[]) this.cursors.set(kind, Number(clock!.now) - this.options.settleMs);
    this.repeating = repeatEvery(this.options.intervalMs, () => this.readAll(), (error) => this.options.log?.('reading newly stored rows failed; will retry', error));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.repeating?.stop();
  }

  /** One read of every followed table; a full batch is followed by another at once. */
  async readAll(): Promise<void> {
    for (const kind of Object.keys(QUERIES) as Kind[]) {
      for (let more = true; more && !this.stopped; ) more = await this.read(kind);
    }
  }

  private async read(kind: Kind): Promise<boolean> {
    const after = this.cursors.get(kind)!;
    const rows = await this.storage.query<Record<string, unknown> & { stored: number }>(QUERIES[kind](after, this.options.batchRows, Math.round(this.options.settleMs)));
    if (rows.length === 0) return false;
    this.cursors.set(kind, Number(rows.at(-1)!.stored)); // in stored order, ties included
    const records = rows.map(({ stored: _stored, ...r }) => r);
    this.options.announced?.(kind, records.length);
    this.bus.emit('ingested', { kind, rows: records.length, records });
    return rows.length >= this.options.batchRows;
  }
}
