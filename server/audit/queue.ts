import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repeatEvery } from '../shared/repeat.ts';
import { serialQueue } from '../shared/serial.ts';
import type { Storage } from '../storage/client.ts';
import { sql, ts, typed } from '../storage/sql.ts';
import { canonical, type AuditFields } from './chain.ts';
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

/** How far back each read looks: a queue insert may commit (or replicate) after a later one. */
const LOOKBACK_MS = 5 * 60_000;
const PAGE = 5000;
const STATE_FILE = 'audit-queue.json';

interface SealerState {
  /** Entries queued at or before this were all read. */
  upTo: number;
  /** Ids sealed within the look-back before upTo, so none is sealed twice. */
  sealed: Record<string, number>;
}

/** An entry's content without its place in the chain (the chain's own canonical text at one fixed seq): what a queued entry and its sealed copy share. */
const contentOf = (f: AuditFields) => canonical(0, f);

/**
 * On the primary: seals the replicas' queued entries into the chain, in the
 * order they were queued. Each read looks five minutes back (an insert may
 * commit after a later one), page by page, and what was sealed in that time
 * is remembered in <data>/audit-queue.json. An entry sealed just before a
 * crash, whose id that file had no time to keep, is found in the chain by
 * its content at the next start and not sealed again.
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
    const since = this.state.upTo - LOOKBACK_MS;
    // After a start: the entries the chain already holds from that time, should the last seals have outrun the file.
    // (A primary that never sealed has nothing to find there.)
    this.inChain ??= this.state.upTo === 0 ? new Set() : new Set((await this.storage.query<AuditFields>(sql`
      SELECT toUnixTimestamp64Milli(at) AS at, actor, role, via, address, action, object, result, status, detail FROM audit_log
      WHERE at > ${ts(since - LOOKBACK_MS)}`)).map((f) => contentOf({ ...f, at: Number(f.at), status: Number(f.status) })));
    let sealed = 0;
    let after = { at: since, id: '' };
    for (;;) {
      const rows = await this.storage.query<{ id: string; at: number; fields: string }>(sql`
        SELECT id, toUnixTimestamp64Milli(queued_at) AS at, fields FROM audit_queue
        WHERE queued_at >= ${ts(after.at)} AND (queued_at > ${ts(after.at)} OR id > ${after.id})
        ORDER BY queued_at, id LIMIT ${typed(PAGE, 'UInt32')}`);
      for (const row of rows) {
        if (this.state.sealed[row.id] !== undefined) continue;
        const fields = JSON.parse(row.fields) as AuditFields;
        if (!this.inChain.delete(contentOf(fields))) await this.trail.append(fields);
        this.state.sealed[row.id] = Number(row.at);
        sealed++;
      }
      if (rows.length > 0) {
        after = { at: Number(rows.at(-1)!.at), id: rows.at(-1)!.id };
        this.state.upTo = Math.max(this.state.upTo, after.at);
      }
      if (rows.length < PAGE) break;
    }
    if (sealed > 0) {
      for (const [id, at] of Object.entries(this.state.sealed)) if (at < this.state.upTo - LOOKBACK_MS) delete this.state.sealed[id];
      const file = path.join(this.dataDir, STATE_FILE);
      fs.writeFileSync(`${file}.tmp`, JSON.stringify(this.state), { mode: 0o600 });
      fs.renameSync(`${file}.tmp`, file);
    }
    this.sealedCount += sealed;
    return sealed;
  }

  /** Contents of chain entries that a queued entry may already be (read once, after a start). */
  private inChain: Set<string> | undefined;
}
