import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Storage } from './client.ts';
import { WriteAheadLog, type CommitRecord, type Segment } from '../../lib/wal.ts';
import { dateTimeText } from './sql.ts';
import { classifyLoadError, clickhouseErrorCode, describeLoadError } from './errors.ts';
import { isSetAside, setAside } from './set-aside.ts';

export const TELEMETRY_TABLES = ['logs', 'metrics', 'probes'] as const;
export type TelemetryTable = (typeof TELEMETRY_TABLES)[number];

export interface WriterOptions {
  flushIntervalMs: number;
  flushRows: number;
}

/** What the writer reports, so metrics and logs stay outside it. */
export interface WriterEvents<T extends string = TelemetryTable> {
  loaded(table: T, rows: number, bytes: number, seconds: number): void;
  retrying(table: T, error: Error, delayMs: number): void;
  /** One request's rows the database refused, moved to wal/<kind>/failed/. */
  setAside(table: T, info: { file: string; rows: number; token: string; reason: string }): void;
}

/** What the server's accepting side writes with each request, so a refusal names its sender. */
export interface RequestMeta {
  token: string;
}

interface TableState<T extends string> {
  table: T;
  wal: WriteAheadLog;
  ready: Segment[];
  running: Promise<void> | undefined;
  retryAt: number;
  failures: number;
  /** Last time a load succeeded (or the writer opened). */
  progressAt: number;
  /** The last roll of the open segment: rolls run one at a time, so segments queue in the order they were written. */
  rolling: Promise<void>;
}

const MAX_BACKOFF_MS = 30_000;
/** A load at least this large gives the engine's freed memory back at once (bench/RESULTS.md, issue 15). */
const RELEASE_AFTER_BYTES = 4 * 1024 * 1024;
/** An error code we do not know is retried this many times before the segment is loaded request by request. */
const UNKNOWN_ERROR_ATTEMPTS = 3;
/** Beside a segment being loaded request by request; survives a restart so no request is loaded twice under two tokens. */
const SPLIT_SUFFIX = '.split';

/**
 * Batched writer: requests append to a per-table write-ahead log and are
 * answered once it is fsynced; a pump closes the current segment every
 * flush interval (or at flushRows) and loads it into ClickHouse as one
 * insert whose dedup token is the segment id. While a load runs the next
 * segment keeps filling, so batches grow with the load by themselves.
 *
 * A segment the database refuses for its data is loaded again request by
 * request (each request's bytes are a commit record of their own): only the
 * refused requests are set aside, every other client's rows are stored.
 */
export class BatchedWriter<T extends string = TelemetryTable> {
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly storage: Storage,
    private readonly tables: Map<T, TableState<T>>,
    private readonly options: WriterOptions,
    private readonly events: WriterEvents<T>,
  ) {
    this.timer = setInterval(() => this.pumpAll(false), Math.max(10, options.flushIntervalMs / 2));
    this.timer.unref();
  }

  /** Opens the logs under <dataDir>/wal and loads whatever a previous process left unloaded (each table loads into `<table>_ingest`). */
  static async open<T extends string = TelemetryTable>(storage: Storage, dataDir: string, options: WriterOptions, events: WriterEvents<T>, names: readonly T[] = TELEMETRY_TABLES as unknown as readonly T[]): Promise<BatchedWriter<T>> {
    const tables = new Map<T, TableState<T>>();
    for (const table of names) {
      const { wal, leftovers } = await WriteAheadLog.open(path.join(dataDir, 'wal', table));
      tables.set(table, { table, wal, ready: leftovers, running: undefined, retryAt: 0, failures: 0, progressAt: Date.now(), rolling: Promise.resolve() });
    }
    const writer = new BatchedWriter<T>(storage, tables, options, events);
    // Replay now; if the database refuses for the moment the rows stay in the
    // log and the timer keeps retrying (the failure was reported as `retrying`).
    await writer.flush().catch(() => undefined);
    return writer;
  }

  /** Durably accepts one request's NDJSON (key: its Idempotency-Key, or ''); it reaches ClickHouse within about one flush interval. */
  async write(table: T, ndjson: Buffer, rows: number, key: string, meta?: RequestMeta): Promise<void> {
    const state = this.tables.get(table)!;
    await state.wal.append(ndjson, rows, key, meta);
    if (state.wal.pendingRows < this.options.flushRows) return;
    // While a load runs, a full segment is closed now, not when the load ends:
    // otherwise a burst piles into one segment as large as the load is slow,
    // and the engine's memory for a load grows with its rows.
    if (state.running) void this.roll(state, true).catch((error: Error) => this.events.retrying(state.table, error, 0));
    else void this.pump(state, false);
  }

  /** Bytes accepted but not yet in ClickHouse, for back-pressure and /metrics. */
  pendingBytes(table?: T): number {
    let total = 0;
    for (const state of this.tables.values()) {
      if (table && state.table !== table) continue;
      total += state.wal.pendingBytes + state.ready.reduce((n, s) => n + s.bytes, 0);
    }
    return total;
  }

  /**
   * How long the oldest accepted row has waited for the database, and how
   * long the loader has gone without progress while rows wait (0 when
   * nothing waits). Readiness and the stalled-writer alert read this.
   */
  lag(table?: T, now = Date.now()): { oldestMs: number; stalledMs: number } {
    let oldestMs = 0;
    let stalledMs = 0;
    for (const state of this.tables.values()) {
      if (table && state.table !== table) continue;
      const oldest = Math.min(state.ready[0]?.commits[0]?.at ?? Infinity, state.wal.oldestAt ?? Infinity);
      if (oldest === Infinity) continue;
      oldestMs = Math.max(oldestMs, now - oldest);
      stalledMs = Math.max(stalledMs, now - Math.max(oldest, state.progressAt));
    }
    return { oldestMs, stalledMs };
  }

  /** Loads everything accepted before the call; resolves when it is queryable (or throws why not). */
  async flush(): Promise<void> {
    for (const state of this.tables.values()) {
      state.retryAt = 0;
      await this.pump(state, true);
      // Rows accepted while this ran belong to the next flush; only a failed load is an error.
      if (state.ready.length > 0) throw new Error(`${state.table}: ${state.ready.length} segment(s) could not be loaded yet`);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private pumpAll(force: boolean): void {
    for (const state of this.tables.values()) void this.pump(state, force);
  }

  private async pump(state: TableState<T>, force: boolean): Promise<void> {
    if (state.running) {
      if (!force) return;
      // A forced flush waits for the pass in progress, then runs its own.
      await state.running.catch(() => undefined);
      return this.pump(state, true);
    }
    state.running = this.pumpOnce(state, force);
    try {
      await state.running;
    } finally {
      state.running = undefined;
    }
  }

  /** Loads closed segments, rolls the current one when it is due, loads that too. */
  private async pumpOnce(state: TableState<T>, force: boolean): Promise<void> {
    try {
      await this.drain(state);
      const due = force || state.wal.ageMs >= this.options.flushIntervalMs || state.wal.pendingRows >= this.options.flushRows;
      if (!due || Date.now() < state.retryAt) return;
      await this.roll(state, false);
      await this.drain(state);
    } catch (error) {
      const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** state.failures++);
      state.retryAt = Date.now() + delay;
      this.events.retrying(state.table, error as Error, delay);
    }
  }

  /** Closes the open segment into the load queue (`onlyIfFull`: only when it still holds a segment's worth by its turn). */
  private roll(state: TableState<T>, onlyIfFull: boolean): Promise<void> {
    const rolled = state.rolling.then(async () => {
      if (onlyIfFull && state.wal.pendingRows < this.options.flushRows) return;
      const segment = await state.wal.roll();
      if (segment) state.ready.push(segment);
    });
    state.rolling = rolled.catch(() => undefined);
    return rolled;
  }

  private async drain(state: TableState<T>): Promise<void> {
    while (state.ready.length > 0 && Date.now() >= state.retryAt) {
      const segment = state.ready[0]!;
      const started = performance.now();
      const split = fs.existsSync(segment.dataPath + SPLIT_SUFFIX);
      if (split || !(await this.loadWhole(state, segment))) await this.loadRequestByRequest(state, segment);
      await state.wal.remove(segment);
      await fsp.rm(segment.dataPath + SPLIT_SUFFIX, { force: true });
      state.ready.shift();
      state.failures = 0;
      state.progressAt = Date.now();
      this.events.loaded(state.table, segment.rows, segment.bytes, (performance.now() - started) / 1000);
      // After a large load only (a trickle frees little, and the next queries would have to fault their memory in again);
      // housekeeping: a failure costs memory, not data.
      if (segment.bytes >= RELEASE_AFTER_BYTES) void this.storage.releaseFreedMemory().catch(() => undefined);
    }
  }

  /** The fast path: the whole segment in one insert. False when its data is refused (it is then split); throws when worth retrying. */
  private async loadWhole(state: TableState<T>, segment: Segment): Promise<boolean> {
    try {
      await this.storage.loadSegment(state.table, segment.dataPath, `${state.table}-${segment.id}`);
    } catch (error) {
      const kind = classifyLoadError(error);
      if (kind === 'transient' || (kind === 'unknown' && state.failures + 1 < UNKNOWN_ERROR_ATTEMPTS)) throw error;
      // A segment is one block, so a refused insert stored none of it: mark it
      // split before loading any request apart under its own token.
      await fsp.writeFile(segment.dataPath + SPLIT_SUFFIX, describeLoadError(error));
      return false;
    }
    await this.recordKeys(state.table, segment.commits, `${state.table}-${segment.id}-keys`);
    return true;
  }

  /**
   * Each request of a refused segment as its own insert. A data error sets
   * that request aside; an error code we do not know sets it aside only when
   * other requests of the segment load (so it is this request's bytes, not
   * the database); otherwise, and for transient errors, it throws to retry.
   */
  private async loadRequestByRequest(state: TableState<T>, segment: Segment): Promise<void> {
    const file = await fsp.open(segment.dataPath, 'r');
    const unexplained: { index: number; commit: CommitRecord; data: Buffer; error: unknown }[] = [];
    let loadedAny = false;
    try {
      for (const [index, commit] of segment.commits.entries()) {
        if (isSetAside(state.wal.dir, segment.id, index)) continue; // an earlier pass did
        const data = Buffer.alloc(commit.end - commit.start);
        await file.read(data, 0, data.length, commit.start);
        const part = `${segment.dataPath}.r${index}`;
        await fsp.writeFile(part, data);
        try {
          await this.storage.loadSegment(state.table, part, `${state.table}-${segment.id}-r${index}`);
          await this.recordKeys(state.table, [commit], `${state.table}-${segment.id}-r${index}-keys`);
          loadedAny = true;
        } catch (error) {
          const kind = classifyLoadError(error);
          if (kind === 'transient') throw error;
          if (kind === 'data') await this.setAside(state, segment, index, commit, data, error);
          else unexplained.push({ index, commit, data, error });
        } finally {
          await fsp.rm(part, { force: true });
        }
      }
    } finally {
      await file.close();
    }
    if (unexplained.length > 0 && !loadedAny) throw unexplained[0]!.error;
    for (const u of unexplained) await this.setAside(state, segment, u.index, u.commit, u.data, u.error);
  }

  private async setAside(state: TableState<T>, segment: Segment, index: number, commit: CommitRecord, data: Buffer, error: unknown): Promise<void> {
    const token = (commit.meta as RequestMeta | undefined)?.token ?? '';
    const reason = describeLoadError(error);
    const file = await setAside(
      state.wal.dir,
      {
        kind: state.table,
        segment: segment.id,
        request: index,
        rows: commit.rows,
        bytes: data.length,
        token,
        idempotency_key: commit.key,
        received_at: new Date(commit.at).toISOString(),
        set_aside_at: new Date().toISOString(),
        code: clickhouseErrorCode(error) ?? null,
        reason,
      },
      data,
    );
    this.events.setAside(state.table, { file, rows: commit.rows, token, reason });
  }

  /** Idempotency keys of loaded requests, so a client's retry is answered without storing twice. */
  private async recordKeys(table: T, commits: readonly CommitRecord[], token: string): Promise<void> {
    const keys = commits.filter((c) => c.key !== '').map((c) => ({ key: c.key, kind: table, rows: c.rows, received_at: dateTimeText(c.at) }));
    await this.storage.insertRows('ingest_batches', keys, token);
  }
}
