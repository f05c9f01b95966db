import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repeatEvery } from '../shared/repeat.ts';
import { serialQueue } from '../shared/serial.ts';
import type { Storage } from '../storage/client.ts';
import { sql, ts } from '../storage/sql.ts';
import type { AuditFields } from './chain.ts';
import type { AuditTrail, ChainHead } from './trail.ts';

/** Where the audit trail's entries go: the chain itself (one writer), or the queue to it. */
export interface AuditSink {
  /** Resolves once the entry is durable (the change it records may then be answered). */
  append(fields: AuditFields): Promise<unknown>;
  flush(): Promise<void>;
  close(): Promise<void>;
  /** The chain's durable head, where this process writes the chain. */
  readonly current: ChainHead | undefined;
}

/**
 * A replica's audit trail: each entry is queued in ClickHouse (durable when
 * the insert returns) for the primary to seal into the one chain; two
 * writers would fork it.
 */
export class QueuedAudit implements AuditSink {
  readonly current = undefined;
  private readonly instance = os.hostname();

  constructor(private readonly storage: Storage) {}

  async append(fields: AuditFields): Promise<void> {
    const id = randomUUID();
    await this.storage.insertRows('audit_queue', [{ id, instance: this.instance, fields: JSON.stringify(fields) }], `audit-queue-${id}`);
  }

  flush = async () => undefined;
  close = async () => undefined;
}

const LOOKBACK_MS = 60_000;
const STATE_FILE = 'audit-queue.json';

interface SealerState {
  /** Entries queued at or before this were all read. */
  upTo: number;
  /** Ids sealed in the last minute before upTo: a queue insert that committed late is still found, and none is sealed twice. */
  sealed: Record<string, number>;
}

/**
 * On the primary: seals the replicas' queued entries into the chain, in the
 * order they were queued. It reads a minute back each time (an insert may
 * commit after a later one) and remembers what it sealed in that minute in
 * <data>/audit-queue.json. A crash between an entry's seal and that file's
 * write seals it once more at the next start: an entry may repeat, never go
 * missing.
 */
export class AuditQueueSealer {
  private state: SealerState;
  private repeating: { stop(): Promise<void> } | undefined;
  sealedCount = 0;

  constructor(
    private readonly storage: Storage,
    private readonly trail: AuditTrail,
    private readonly dataDir: string,
    private readonly options: { intervalMs: number; log?: (msg: string, error: unknown) => void },
  ) {
    const file = path.join(dataDir, STATE_FILE);
    this.state = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as SealerState) : { upTo: 0, sealed: {} };
  }

  start(): void {
    this.repeating = repeatEvery(this.options.intervalMs, () => this.sealQueued(), (error) => this.options.log?.('sealing queued audit entries failed; will retry', error));
  }

  async stop(): Promise<void> {
    await this.repeating?.stop();
  }

  /** Seals every entry queued since the last read; the number sealed. One read at a time (the timer and an export's flush may both ask). */
  sealQueued(): Promise<number> {
    return this.serial(() => this.sealOnce());
  }

  private readonly serial = serialQueue();

  private async sealOnce(): Promise<number> {
    const rows = await this.storage.query<{ id: string; at: number; fields: string }>(sql`
      SELECT id, toUnixTimestamp64Milli(queued_at) AS at, fields FROM audit_queue
      WHERE queued_at > ${ts(this.state.upTo - LOOKBACK_MS)} ORDER BY queued_at, id LIMIT 10000`);
    let sealed = 0;
    for (const row of rows) {
      if (this.state.sealed[row.id] !== undefined) continue;
      await this.trail.append(JSON.parse(row.fields) as AuditFields);
      this.state.sealed[row.id] = Number(row.at);
      sealed++;
    }
    if (rows.length > 0) {
      this.state.upTo = Math.max(this.state.upTo, Number(rows.at(-1)!.at));
      for (const [id, at] of Object.entries(this.state.sealed)) if (at < this.state.upTo - LOOKBACK_MS) delete this.state.sealed[id];
      const file = path.join(this.dataDir, STATE_FILE);
      fs.writeFileSync(`${file}.tmp`, JSON.stringify(this.state), { mode: 0o600 });
      fs.renameSync(`${file}.tmp`, file);
    }
    this.sealedCount += sealed;
    return sealed;
  }
}
