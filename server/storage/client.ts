import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import type { Sql } from './sql.ts';
import { localTable, type Dialect } from './dialect.ts';
import { migrate } from './migrate.ts';

/**
 * The one door to ClickHouse. Embedded chDB when CLICKHOUSE_URL is unset
 * (data under <dataDir>/clickhouse), a ClickHouse server when it is set.
 * Every other folder goes through this interface, never the client.
 */
export interface Storage {
  readonly mode: 'embedded' | 'remote';
  readonly dialect: Dialect;
  query<T>(q: Sql): Promise<T[]>;
  /**
   * Hands a query's rows to `visit` one at a time and returns how many there
   * were: for large reads by background work, whose rows then die young in
   * V8 instead of living (and being promoted to the old generation) as one
   * array until the last is done.
   */
  eachRow<T>(q: Sql, visit: (row: T) => void): Promise<number>;
  command(q: Sql): Promise<void>;
  /** Loads one NDJSON segment file into `<table>_ingest`; the token makes a replay store it once. */
  loadSegment(table: string, file: string, token: string): Promise<void>;
  /** Small inserts of JS rows (bookkeeping, not the telemetry hot path). */
  insertRows(table: string, rows: object[], token: string): Promise<void>;
  /** A table's columns and types in order (on a cluster, its shard-local table's). */
  columns(table: string): Promise<{ name: string; type: string }[]>;
  /** Writes a query's rows to a file in the given format, written by ClickHouse itself (no row objects in JavaScript). */
  exportTo(q: Sql, file: string, format: ExportFormat): Promise<void>;
  /**
   * Loads a file written by exportTo into a table, read by ClickHouse itself:
   * `structure` names the file's columns and types (Parquet), or is omitted
   * when the file carries its own (Native). Rows go straight into the table,
   * past the ingest views. Meant for bulk loads by an offline command: chDB
   * keeps the memory-saving settings it uses (one thread, small insert
   * blocks) for the rest of the session.
   */
  importFrom(table: string, file: string, format: 'Parquet' | 'Native', structure?: string): Promise<void>;
  /**
   * Hands the memory the engine has freed back to the system now. The
   * embedded engine's allocator (jemalloc) keeps freed pages for 5 s to reuse
   * them, so during a burst of loads every load's and merge's memory stayed
   * resident at once (hundreds of MiB over the idle server). A ClickHouse
   * server manages its own memory: nothing is done there.
   */
  releaseFreedMemory(): Promise<void>;
  /**
   * When the oldest segment load still running began (epoch ms), if one runs.
   * Its rows are stamped `stored_at` from then on but are seen only once it
   * ends, so a reader by `stored_at` (the pattern miner) must not close a
   * window past it. Embedded only (the engine shares this host's clock, and
   * loads run beside reads); a server answers undefined.
   */
  loadInFlightSince(): number | undefined;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export type ExportFormat = 'CSVWithNames' | 'Parquet' | 'Native';

export interface StorageOptions {
  dataDir: string;
  clickhouseUrl?: string;
  cluster?: string;
  log: (msg: string) => void;
}

// chDB applies per-query settings session-wide (STACK.md), so every insert
// names all the settings it relies on, including its own dedup token.
const INSERT_SETTINGS = {
  deduplicate_blocks_in_dependent_materialized_views: 1,
  input_format_skip_unknown_fields: 0,
  insert_deduplicate: 1,
  // One parsing thread per load: less CPU and memory on a 2-core box, where the
  // other core is busy validating the next requests anyway.
  input_format_parallel_parsing: 0,
} as const;

const READ_SETTINGS = { output_format_json_quote_64bit_integers: 0, output_format_json_quote_denormals: 0 } as const;

export async function openStorage(options: StorageOptions): Promise<Storage> {
  const remote = Boolean(options.clickhouseUrl);
  const dialect: Dialect = options.cluster ? { cluster: options.cluster } : {};
  let client: ClickHouseClient;
  let loader: ClickHouseClient;
  if (remote) {
    client = loader = createClient({ url: options.clickhouseUrl, request_timeout: 60_000 });
  } else {
    const dir = path.resolve(options.dataDir, 'clickhouse');
    fs.mkdirSync(dir, { recursive: true });
    // The client bundles its own copy of the Connection types, hence the cast.
    client = createClient({ connection: createChdbConnection({ path: dir }) as never });
    // Segment loads get a connection of their own: chDB runs one query at a time per
    // connection, so on one connection every read waited for the load in progress
    // (the explorer's p95 during a 2M-line burst 125-138 ms, 54-73 with this).
    loader = createClient({ connection: createChdbConnection({ path: dir }) as never });
  }
  const closeBoth = async () => {
    try {
      if (loader !== client) await loader.close();
    } finally {
      await client.close();
    }
  };
  await migrate(client, dialect, options.log).catch(async (error: unknown) => {
    await closeBoth().catch(() => undefined);
    throw error;
  });
  // chDB keeps a query's settings for the session (STACK.md): the read
  // settings are set once here rather than sent as SETs before every read
  // (0.4 ms each, measured); a server gets them with each query.
  if (!remote) await client.command({ query: 'SELECT 1', clickhouse_settings: READ_SETTINGS });
  const readSettings = remote ? READ_SETTINGS : undefined;
  const columnsOf = async (table: string) => {
    const result = await client.query({
      query: 'SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = {t:String} ORDER BY position',
      query_params: { t: localTable(dialect, table) },
      format: 'JSONEachRow',
    });
    return result.json<{ name: string; type: string }>();
  };
  // Counts come back as JSON numbers and NaN as null, so rows need no fixing up in JS.
  const select = (q: Sql) => client.query({ query: q.text, query_params: q.params, format: 'JSONEachRow', clickhouse_settings: readSettings });
  const structures = new Map<string, string>();
  /** Start times of the embedded loads running now, oldest first (one per table at most: each table's writer loads in turn). */
  const loadsStartedAt: number[] = [];
  const structureOf = async (table: string) => {
    let structure = structures.get(table);
    if (!structure) {
      const columns = await columnsOf(table);
      if (columns.length === 0) throw new Error(`unknown table ${table}`);
      structure = columns.map((c) => `${c.name} ${c.type}`).join(', ');
      structures.set(table, structure);
    }
    return structure;
  };
  return drainBeforeClose({
    mode: remote ? 'remote' : 'embedded',
    dialect,
    async query<T>(q: Sql) {
      return (await select(q)).json<T>();
    },
    async eachRow<T>(q: Sql, visit: (row: T) => void) {
      const text = await (await select(q)).text();
      let rows = 0;
      for (let start = 0; start < text.length; ) {
        let end = text.indexOf('\n', start);
        if (end < 0) end = text.length;
        if (end > start) {
          visit(JSON.parse(text.slice(start, end)) as T);
          rows++;
        }
        start = end + 1;
      }
      return rows;
    },
    async command(q: Sql) {
      // Clear the token an earlier insert left set in the chDB session, or an
      // INSERT … SELECT here would be dropped as that insert's duplicate.
      await client.command({ query: q.text, query_params: q.params, clickhouse_settings: { insert_deduplication_token: '' } });
    },
    async loadSegment(table, file, token) {
      const settings = { ...INSERT_SETTINGS, insert_deduplication_token: token };
      const target = `${table}_ingest`;
      if (remote) {
        // A server cannot read our files: stream the bytes to it instead.
        const stream = await client.exec({
          query: `INSERT INTO ${target} FORMAT JSONEachRow`,
          values: fs.createReadStream(file),
          clickhouse_settings: { ...settings, distributed_foreground_insert: 1 },
        });
        stream.stream.resume();
        return;
      }
      // Embedded: the engine reads the file itself, the fastest path (STACK.md);
      // read, not mapped, so a segment's pages do not count in the server's RSS while it loads.
      // Literals, not parameters: chdb-node runs parameterised queries one at a time across
      // all connections (its parameter binding is not safe across them), which would put
      // the load back in the reads' queue. The settings are set on the loader's own session.
      const structure = await structureOf(target);
      const started = Date.now();
      loadsStartedAt.push(started);
      try {
        await loader.command({
          query: `INSERT INTO ${target} SELECT * FROM file(${literal(file)}, 'JSONEachRow', ${literal(structure)})`,
          clickhouse_settings: { ...settings, storage_file_read_method: 'pread' },
        });
      } finally {
        loadsStartedAt.splice(loadsStartedAt.indexOf(started), 1);
      }
    },
    async insertRows(table, rows, token) {
      if (rows.length === 0) return;
      await client.insert({ table, values: rows, format: 'JSONEachRow', clickhouse_settings: { ...INSERT_SETTINGS, insert_deduplication_token: token } });
    },
    async exportTo(q, file, format) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      if (remote) {
        // A server writes on its own disk: stream the formatted rows here instead.
        const result = await client.exec({ query: `${q.text} FORMAT ${format}`, query_params: q.params, clickhouse_settings: { output_format_parquet_string_as_string: 1 } });
        await pipeline(result.stream, fs.createWriteStream(file, { mode: 0o600 }));
        return;
      }
      await client.command({
        query: `INSERT INTO FUNCTION file({file:String}, '${format}') ${q.text}`,
        query_params: { ...q.params, file },
        clickhouse_settings: { insert_deduplication_token: '', engine_file_truncate_on_insert: 1, output_format_parquet_string_as_string: 1 },
      });
      fs.chmodSync(file, 0o600);
    },
    columns: columnsOf,
    async importFrom(table, file, format, structure) {
      // Small insert blocks, one thread, files read (not mapped): a rollup's t-digest states take several times
      // their file size in memory, so a bulk load would otherwise grow the engine by gigabytes (bench/handover.ts).
      const settings = {
        insert_deduplication_token: '',
        input_format_parquet_allow_missing_columns: 0 as const,
        max_insert_block_size: '65536',
        min_insert_block_size_rows: '65536',
        min_insert_block_size_bytes: '0',
        max_threads: 1,
      };
      if (remote) {
        // A server cannot read our files: stream the bytes to it; it reads them by the table's own types.
        const stream = await client.exec({ query: `INSERT INTO ${table} FORMAT ${format}`, values: fs.createReadStream(file), clickhouse_settings: { ...settings, distributed_foreground_insert: 1 } });
        stream.stream.resume();
        return;
      }
      const args = structure ? `{file:String}, '${format}', {structure:String}` : `{file:String}, '${format}'`;
      await client.command({ query: `INSERT INTO ${table} SELECT * FROM file(${args})`, query_params: structure ? { file, structure } : { file }, clickhouse_settings: { ...settings, storage_file_read_method: 'pread' } });
    },
    async releaseFreedMemory() {
      // On the loader's connection: the purge takes up to tens of ms, which reads would wait for on theirs.
      if (!remote) await loader.command({ query: 'SYSTEM JEMALLOC PURGE' });
    },
    async ping() {
      try {
        const result = await client.query({ query: 'SELECT 1 AS ok', format: 'JSONEachRow' });
        return (await result.json<{ ok: number }>())[0]?.ok === 1;
      } catch {
        return false;
      }
    },
    loadInFlightSince: () => loadsStartedAt[0],
    close: closeBoth,
  });
}

/** A ClickHouse string literal (backslash and quote escaped), for our own file paths and column lists. */
const literal = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * The same storage, whose close() first waits for every call in flight and
 * which refuses calls after it: closing the embedded engine while a query
 * still runs on a worker thread can park the closing (main) thread for good.
 */
function drainBeforeClose(storage: Storage): Storage {
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;
  const track = <R>(work: () => Promise<R>): Promise<R> => {
    if (closed) return Promise.reject(new Error('storage is closed'));
    const call = work();
    inFlight.add(call);
    call.then(() => inFlight.delete(call), () => inFlight.delete(call));
    return call;
  };
  return {
    mode: storage.mode,
    dialect: storage.dialect,
    query: <T>(q: Sql) => track(() => storage.query<T>(q)),
    eachRow: <T>(q: Sql, visit: (row: T) => void) => track(() => storage.eachRow<T>(q, visit)),
    command: (q) => track(() => storage.command(q)),
    loadSegment: (table, file, token) => track(() => storage.loadSegment(table, file, token)),
    insertRows: (table, rows, token) => track(() => storage.insertRows(table, rows, token)),
    exportTo: (q, file, format) => track(() => storage.exportTo(q, file, format)),
    importFrom: (table, file, format, structure) => track(() => storage.importFrom(table, file, format, structure)),
    columns: (table) => track(() => storage.columns(table)),
    releaseFreedMemory: () => track(() => storage.releaseFreedMemory()),
    loadInFlightSince: () => storage.loadInFlightSince(),
    ping: () => track(() => storage.ping()),
    async close() {
      closed = true;
      await Promise.allSettled([...inFlight]);
      await storage.close();
    },
  };
}

/** chDB refuses a data directory that another process holds open. */
export function isDataDirInUse(error: Error): boolean {
  return /Cannot lock file|Code: 76|Failed to create connection for path/.test(error.message);
}
