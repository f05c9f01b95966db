import path from 'node:path';
import type { Storage } from './client.ts';
import { WriteAheadLog, type Segment } from './wal.ts';
import { dateTimeText } from './sql.ts';

export const TELEMETRY_TABLES = ['logs', 'metrics', 'probes'] as const;
export type TelemetryTable = (typeof TELEMETRY_TABLES)[number];

export interface WriterOptions {
  flushIntervalMs: number;
  flushRows: number;
}

/** What the writer reports, so metrics and logs stay outside it. */
export interface WriterEvents {
  loaded(table: TelemetryTable, rows: number, bytes: number, seconds: number): void;
  retrying(table: TelemetryTable, error: Error, delayMs: number): void;
  quarantined(table: TelemetryTable, file: string, rows: number, error: Error): void;
}

interface TableState {
  table: TelemetryTable;
  wal: WriteAheadLog;
  ready: Segment[];
  running: Promise<void> | undefined;
  retryAt: number;
  failures: number;
}

// Errors about the data itself: retrying the same bytes cannot help.
const DATA_ERROR = /CANNOT_PARSE|INCORRECT_DATA|TYPE_MISMATCH|Cannot parse|Cannot read|DUPLICATE|INCORRECT_JSON|ILLEGAL_COLUMN|Code: (6|26|27|117|1000)\b/i;
const MAX_BACKOFF_MS = 30_000;

/**
 * Batched writer: requests append to a per-table write-ahead log and are
 * answered once it is fsynced; a pump closes the current segment every
 * flush interval (or at flushRows) and loads it into ClickHouse as one
 * insert whose dedup token is the segment id. While a load runs the next
 * segment keeps filling, so batches grow with the load by themselves.
 */
export class BatchedWriter {
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly storage: Storage,
    private readonly tables: Map<TelemetryTable, TableState>,
    private readonly options: WriterOptions,
    private readonly events: WriterEvents,
  ) {
    this.timer = setInterval(() => this.pumpAll(false), Math.max(10, options.flushIntervalMs / 2));
    this.timer.unref();
  }

  /** Opens the logs under <dataDir>/wal and loads whatever a previous process left unloaded. */
  static async open(storage: Storage, dataDir: string, options: WriterOptions, events: WriterEvents): Promise<BatchedWriter> {
    const tables = new Map<TelemetryTable, TableState>();
    for (const table of TELEMETRY_TABLES) {
      const { wal, leftovers } = await WriteAheadLog.open(path.join(dataDir, 'wal', table));
      tables.set(table, { table, wal, ready: leftovers, running: undefined, retryAt: 0, failures: 0 });
    }
    const writer = new BatchedWriter(storage, tables, options, events);
    // Replay now; if the database refuses for the moment the rows stay in the
    // log and the timer keeps retrying (the failure was reported as `retrying`).
    await writer.flush().catch(() => undefined);
    return writer;
  }

  /** Durably accepts one request's NDJSON (key: its Idempotency-Key, or ''); it reaches ClickHouse within about one flush interval. */
  async write(table: TelemetryTable, ndjson: Buffer, rows: number, key: string): Promise<void> {
    const state = this.tables.get(table)!;
    await state.wal.append(ndjson, rows, key);
    if (state.wal.pendingRows >= this.options.flushRows) void this.pump(state, false);
  }

  /** Bytes accepted but not yet in ClickHouse, for back-pressure and /metrics. */
  pendingBytes(table?: TelemetryTable): number {
    let total = 0;
    for (const state of this.tables.values()) {
      if (table && state.table !== table) continue;
      total += state.wal.pendingBytes + state.ready.reduce((n, s) => n + s.bytes, 0);
    }
    return total;
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

  private async pump(state: TableState, force: boolean): Promise<void> {
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
  private async pumpOnce(state: TableState, force: boolean): Promise<void> {
    try {
      await this.drain(state);
      const due = force || state.wal.ageMs >= this.options.flushIntervalMs || state.wal.pendingRows >= this.options.flushRows;
      if (!due || Date.now() < state.retryAt) return;
      const segment = await state.wal.roll();
      if (segment) state.ready.push(segment);
      await this.drain(state);
    } catch (error) {
      const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** state.failures++);
      state.retryAt = Date.now() + delay;
      this.events.retrying(state.table, error as Error, delay);
    }
  }

  private async drain(state: TableState): Promise<void> {
    while (state.ready.length > 0 && Date.now() >= state.retryAt) {
      await this.load(state, state.ready[0]!);
      state.ready.shift();
    }
  }

  private async load(state: TableState, segment: Segment): Promise<void> {
    const started = performance.now();
    try {
      await this.storage.loadSegment(state.table, segment.dataPath, `${state.table}-${segment.id}`);
    } catch (error) {
      if (!DATA_ERROR.test(String((error as Error).message))) throw error;
      const file = await state.wal.quarantine(segment);
      this.events.quarantined(state.table, file, segment.rows, error as Error);
      return;
    }
    const keys = segment.commits
      .filter((c) => c.key !== '')
      .map((c) => ({ key: c.key, kind: state.table, rows: c.rows, received_at: dateTimeText(c.at) }));
    await this.storage.insertRows('ingest_batches', keys, `${state.table}-${segment.id}-keys`);
    await state.wal.remove(segment);
    state.failures = 0;
    this.events.loaded(state.table, segment.rows, segment.bytes, (performance.now() - started) / 1000);
  }
}
