import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { WriteAheadLog, type Segment } from '../../lib/wal.ts';
import type { RecordKind, Sink } from './types.ts';

export const KINDS: RecordKind[] = ['logs', 'metrics', 'probes'];
/** Keeps a batch well inside the server's default body limit (32 MiB). */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export interface SpoolOptions {
  /** Upper bound of spooled bytes; beyond it the oldest batches are dropped, counted and logged. */
  maxBytes: number;
  /** A batch is closed for sending at this many records. */
  batchRecords: number;
  warn: (msg: string, fields: Record<string, unknown>) => void;
  /** Told after each write, so the sender can go at once instead of at its next tick. */
  onWrite?: (kind: RecordKind, records: readonly string[]) => void;
}

export interface SpoolCounters {
  spooledRecords: number;
  droppedRecords: number;
}

export interface Batch {
  kind: RecordKind;
  id: string;
  file: string;
  rows: number;
  bytes: number;
}

interface Checkpoint {
  seq: number;
  state: unknown;
}

/**
 * The agent's durable queue: one write-ahead log per record kind (the same
 * segment files and commit records as the server's), so records survive a
 * crash or a server outage, and a batch leaves the disk only after the
 * server acknowledged it. Collector checkpoints ride in the commit records.
 */
export class Spool implements Sink {
  readonly counters: SpoolCounters = { spooledRecords: 0, droppedRecords: 0 };
  private readonly ready = new Map<RecordKind, Segment[]>();
  private readonly checkpoints = new Map<string, Checkpoint>();
  private seq = 0;
  private saving: Promise<void> = Promise.resolve();
  private checkpointsDirty = false;

  private constructor(
    private readonly dir: string,
    private readonly logs: Map<RecordKind, WriteAheadLog>,
    private readonly options: SpoolOptions,
  ) {}

  static async open(dir: string, options: SpoolOptions): Promise<Spool> {
    const logs = new Map<RecordKind, WriteAheadLog>();
    const leftovers = new Map<RecordKind, Segment[]>();
    for (const kind of KINDS) {
      const opened = await WriteAheadLog.open(path.join(dir, kind));
      logs.set(kind, opened.wal);
      leftovers.set(kind, opened.leftovers);
    }
    const spool = new Spool(dir, logs, options);
    spool.restoreCheckpoints(leftovers);
    for (const [kind, segments] of leftovers) spool.ready.set(kind, segments);
    return spool;
  }

  /** Closes the open segments' files; what they hold stays on disk for the next open. */
  async release(): Promise<void> {
    await this.saving;
    for (const wal of this.logs.values()) await wal.release();
  }

  async write(kind: RecordKind, records: string[], checkpoint?: { owner: string; state: unknown }): Promise<void> {
    if (records.length === 0 && !checkpoint) return;
    // A batch never exceeds batchRecords, whatever one call brings; the checkpoint goes with the last part.
    for (let i = 0; i < records.length || i === 0; i += this.options.batchRecords) {
      const part = records.slice(i, i + this.options.batchRecords);
      const last = i + this.options.batchRecords >= records.length;
      await this.append(kind, part, last ? checkpoint : undefined);
    }
    this.options.onWrite?.(kind, records);
  }

  private async append(kind: RecordKind, records: string[], checkpoint?: { owner: string; state: unknown }): Promise<void> {
    const meta = checkpoint ? { owner: checkpoint.owner, seq: ++this.seq, state: checkpoint.state } : undefined;
    const wal = this.logs.get(kind)!;
    await wal.append(Buffer.from(records.length ? `${records.join('\n')}\n` : ''), records.length, '', meta);
    this.counters.spooledRecords += records.length;
    // The commit record already makes the checkpoint durable; the file copy is
    // needed only once that segment is deleted (see removeSegment).
    if (meta) {
      this.checkpoints.set(meta.owner, { seq: meta.seq, state: meta.state });
      this.checkpointsDirty = true;
    }
    if (wal.pendingRows >= this.options.batchRecords || wal.pendingBytes >= MAX_BATCH_BYTES) await this.close(kind);
    await this.enforceBound();
  }

  checkpoint(owner: string): unknown {
    return this.checkpoints.get(owner)?.state;
  }

  /** The oldest batch waiting to be sent; closes the open one when nothing older waits. */
  async next(kind: RecordKind): Promise<Batch | undefined> {
    return (await this.oldest(kind, 1))[0];
  }

  /** Up to `max` of the oldest batches waiting, so several can be in flight at once. */
  async oldest(kind: RecordKind, max: number): Promise<Batch[]> {
    const queue = this.ready.get(kind)!;
    if (queue.length === 0) await this.close(kind);
    return queue
      .filter((s) => s.rows > 0)
      .slice(0, max)
      .map((segment) => ({ kind, id: segment.id, file: segment.dataPath, rows: segment.rows, bytes: segment.bytes }));
  }

  /** The server acknowledged the batch: forget it. */
  async acknowledge(batch: Batch): Promise<void> {
    const queue = this.ready.get(batch.kind)!;
    const index = queue.findIndex((s) => s.id === batch.id);
    if (index === -1) return;
    const [segment] = queue.splice(index, 1);
    await this.removeSegment(batch.kind, segment!);
  }

  /** Bytes on disk waiting to be sent. */
  get spooledBytes(): number {
    let total = 0;
    for (const kind of KINDS) total += this.logs.get(kind)!.pendingBytes + this.ready.get(kind)!.reduce((n, s) => n + s.bytes, 0);
    return total;
  }

  private async close(kind: RecordKind): Promise<void> {
    const segment = await this.logs.get(kind)!.roll();
    if (segment) this.ready.get(kind)!.push(segment);
  }

  /** Full: drop the oldest closed batches (never the newest records), counted and logged. */
  private async enforceBound(): Promise<void> {
    while (this.spooledBytes > this.options.maxBytes) {
      const oldest = KINDS.flatMap((k) => this.ready.get(k)!.map((s) => ({ k, s }))).sort((a, b) => a.s.id.localeCompare(b.s.id))[0];
      if (!oldest) return;
      this.ready.get(oldest.k)!.splice(this.ready.get(oldest.k)!.indexOf(oldest.s), 1);
      await this.removeSegment(oldest.k, oldest.s);
      this.counters.droppedRecords += oldest.s.rows;
      this.options.warn('spool full: dropped the oldest records', { kind: oldest.k, records: oldest.s.rows, bytes: oldest.s.bytes, maxBytes: this.options.maxBytes, droppedTotal: this.counters.droppedRecords });
    }
  }

  /** Deleting a segment may delete the newest copy of a checkpoint: save the file first. */
  private async removeSegment(kind: RecordKind, segment: Segment): Promise<void> {
    if (this.checkpointsDirty) {
      this.checkpointsDirty = false;
      await this.saveCheckpoints();
    }
    await this.logs.get(kind)!.remove(segment);
  }

  private restoreCheckpoints(leftovers: Map<RecordKind, Segment[]>): void {
    const file = path.join(this.dir, 'checkpoints.json');
    let saved: Record<string, Checkpoint> = {};
    try {
      if (fs.existsSync(file)) saved = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Checkpoint>;
    } catch (error) {
      // Only the newest positions can be lost here, and the spooled commits still hold those.
      this.options.warn('checkpoints.json is unreadable; using the positions kept with spooled records', { error: (error as Error).message });
    }
    for (const [owner, cp] of Object.entries(saved)) this.checkpoints.set(owner, cp);
    for (const segments of leftovers.values()) {
      for (const commit of segments.flatMap((s) => s.commits)) {
        const meta = commit.meta as ({ owner: string } & Checkpoint) | undefined;
        if (meta && (this.checkpoints.get(meta.owner)?.seq ?? -1) < meta.seq) this.checkpoints.set(meta.owner, { seq: meta.seq, state: meta.state });
      }
    }
    this.seq = Math.max(0, ...[...this.checkpoints.values()].map((c) => c.seq));
  }

  /** Written after the commit that holds the same checkpoint, so acknowledged batches can go. */
  private saveCheckpoints(): Promise<void> {
    const file = path.join(this.dir, 'checkpoints.json');
    // One save at a time: two writers must not interleave on the temp file.
    this.saving = this.saving.then(async () => {
      await fsp.writeFile(`${file}.tmp`, JSON.stringify(Object.fromEntries(this.checkpoints)));
      await fsp.rename(`${file}.tmp`, file);
    });
    return this.saving;
  }
}
