import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditTrail, AUDIT_HEAD_FILE, readHeadFile, verifyChain, type VerifyResult } from '../audit/index.ts';
import { PatternMiner } from '../patterns/index.ts';
import type { LearnedState } from '../learned/document.ts';
import type { Storage } from '../storage/client.ts';
import { raw, sql } from '../storage/sql.ts';
import { digest } from './export.ts';
import { localTable } from '../storage/dialect.ts';
import { allFiles, BUNDLE_FORMAT, isBundleFileName, type Manifest, type ManifestTable } from './manifest.ts';
import { BUNDLED_TABLES } from './tables.ts';

/** A bundle that cannot be imported as it is: nothing was written. */
export class BundleRefused extends Error {}

export interface ImportProgress {
  /** A file's checksum is being checked (`done` of `total` files). */
  checking?(file: string, done: number, total: number): void;
  /** A table was loaded. */
  loaded?(table: string, rows: number, seconds: number, done: number, total: number): void;
}

/**
 * Reads manifest.json and checks every file it names against its SHA-256,
 * before anything is opened: a changed or missing file stops the import,
 * naming the file.
 */
export async function checkBundle(dir: string, progress: ImportProgress = {}): Promise<Manifest> {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) throw new BundleRefused(`${manifestFile} is missing: not a hand-over bundle`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest;
  } catch (error) {
    throw new BundleRefused(`manifest.json is not JSON: ${(error as Error).message}`);
  }
  if (manifest.format !== BUNDLE_FORMAT || manifest.version !== 1) throw new BundleRefused(`manifest.json: format ${manifest.format} version ${manifest.version}, expected ${BUNDLE_FORMAT} version 1`);
  const files = allFiles(manifest);
  const strange = files.find((f) => !isBundleFileName(f.name));
  if (strange) throw new BundleRefused(`manifest.json names a file outside the bundle: ${JSON.stringify(strange.name)}`);
  for (const [i, file] of files.entries()) {
    progress.checking?.(file.name, i, files.length);
    const at = path.join(dir, file.name);
    if (!fs.existsSync(at)) throw new BundleRefused(`${file.name} is missing from the bundle`);
    const found = await digest(at);
    if (found.sha256 !== file.sha256 || found.bytes !== file.bytes) throw new BundleRefused(`${file.name} was changed: its SHA-256 is ${found.sha256}, the manifest says ${file.sha256}`);
  }
  progress.checking?.('', files.length, files.length);
  return manifest;
}

/** What the instance already holds: rows in a bundled table, audit entries, learned trees. */
export async function whatIsThere(storage: Storage, dataDir: string): Promise<string[]> {
  const found: string[] = [];
  for (const table of BUNDLED_TABLES) {
    const [row] = await storage.query<{ n: number }>(sql`SELECT count() AS n FROM ${raw(table.name)}`);
    if (Number(row?.n) > 0) found.push(`${table.name}: ${row!.n} rows`);
  }
  if ((readHeadFile(path.join(dataDir, AUDIT_HEAD_FILE))?.seq ?? 0) > 0) found.push('an audit trail (audit-head)');
  if (fs.existsSync(path.join(dataDir, 'patterns', 'state.json'))) found.push('learned pattern trees (patterns/state.json)');
  const wal = path.join(dataDir, 'wal');
  if (fs.existsSync(wal) && fs.readdirSync(wal, { recursive: true }).some((f) => String(f).endsWith('.ndjson'))) found.push('rows waiting in the write-ahead log (wal/)');
  return found;
}

/**
 * Loads a checked bundle into this data directory, whose server is stopped:
 * ClickHouse reads each Parquet file (the Native file for rollups, whose
 * aggregate states Parquet cannot hold) into its table; the raw tables the
 * rollup views read are loaded past those views, so nothing is counted
 * twice. The pattern trees and the miner's cursor are seeded, the audit
 * chain verified, and the import itself appended to the chain.
 */
export async function importBundle(storage: Storage, dataDir: string, dir: string, manifest: Manifest, options: { replace?: boolean; progress?: ImportProgress } = {}): Promise<{ rows: number; seconds: number; chain: VerifyResult }> {
  const started = performance.now();
  const there = await whatIsThere(storage, dataDir);
  if (there.length > 0 && !options.replace) throw new BundleRefused(`this instance is not empty (${there.join('; ')}); import into a fresh data directory, or pass --replace to delete what it holds first`);
  if (options.replace) await emptyInstance(storage, dataDir);
  // Raw tables first, then the rollups from their own files. Rows inserted into a table the views read would
  // be counted into the rollups again: they are loaded into a copy and its partitions attached, which no view sees.
  // A cluster's Replicated tables cannot be copied so: there the views count them, and the rollups are emptied first.
  const derived = new Set(BUNDLED_TABLES.filter((t) => t.derived).map((t) => t.name));
  const feedsViews = new Set(BUNDLED_TABLES.filter((t) => t.feedsViews).map((t) => t.name));
  const known = new Set(BUNDLED_TABLES.map((t) => t.name));
  const tables = [...manifest.tables.filter((t) => known.has(t.name) && !derived.has(t.name)), ...manifest.tables.filter((t) => derived.has(t.name))];
  let emptied = !storage.dialect.cluster;
  let rows = 0;
  for (const [i, table] of tables.entries()) {
    const tableStarted = performance.now();
    if (derived.has(table.name) && !emptied) {
      for (const name of derived) await truncate(storage, name);
      emptied = true;
    }
    if (feedsViews.has(table.name) && !storage.dialect.cluster) await pastTheViews(storage, table.name, (into) => loadTable(storage, into, table, dir));
    else await loadTable(storage, table.name, table, dir);
    rows += table.rows;
    options.progress?.loaded?.(table.name, table.rows, (performance.now() - tableStarted) / 1000, i + 1, tables.length);
  }
  const learned = JSON.parse(fs.readFileSync(path.join(dir, 'learned-state.json'), 'utf8')) as LearnedState;
  PatternMiner.seed(dataDir, manifest.miner_cursor, learned.drains);
  const chain = await verifyChain(storage, undefined);
  if (!chain.ok) throw new Error(`the imported audit trail does not verify: entry ${chain.broken!.seq}: ${chain.broken!.reason}`);
  // The import is one more entry of the same chain; the head file outside the table follows it.
  const trail = await AuditTrail.open(storage, dataDir, { flushIntervalMs: 1000 });
  await trail.append({
    at: Date.now(), actor: `os:${os.userInfo().username}`, role: 'admin', via: 'cli', address: '', action: 'handover.import', result: 'ok', status: 0,
    object: JSON.stringify({ exported_at: manifest.exported_at, mimamori_version: manifest.mimamori_version }), detail: `${tables.length} tables, ${rows} rows`,
  });
  await trail.close();
  const after = await verifyChain(storage, readHeadFile(path.join(dataDir, AUDIT_HEAD_FILE)));
  if (!after.ok) throw new Error(`the audit trail does not verify after the import: entry ${after.broken!.seq}: ${after.broken!.reason}`);
  return { rows, seconds: (performance.now() - started) / 1000, chain: after };
}

/** What `--replace` empties besides the bundled tables: sessions (an old cookie must not sign anyone in), idempotency keys, replicas' queued audit entries. */
const INSTANCE_TABLES = ['sessions', 'session_ends', 'ingest_batches', 'audit_queue'];

/** `--replace`: every bundled table and the instance's own emptied; the chain's head, the queue's position, the trees and the write-ahead log removed. */
async function emptyInstance(storage: Storage, dataDir: string): Promise<void> {
  for (const table of [...BUNDLED_TABLES.map((t) => t.name), ...INSTANCE_TABLES]) await truncate(storage, table);
  for (const leftover of [AUDIT_HEAD_FILE, 'audit-queue.json', 'patterns', 'wal']) fs.rmSync(path.join(dataDir, leftover), { recursive: true, force: true });
}

/** One table's file into `into` (the table, or its copy), read by ClickHouse. */
async function loadTable(storage: Storage, into: string, table: ManifestTable, dir: string): Promise<void> {
  const native = table.files.find((f) => f.format === 'Native');
  if (native) return storage.importFrom(into, path.join(dir, native.name), 'Native');
  const parquet = path.join(dir, table.files.find((f) => f.format === 'Parquet')!.name);
  // The table's own types, a SimpleAggregateFunction as the type it wraps. A column the bundle lacks (an older
  // version's) gets its default; that path reads the file by name, so it needs the embedded engine.
  const columns = await storage.columns(table.name);
  const inBundle = new Set(table.columns.map((c) => c.name));
  const structure = (list: typeof columns) => list.map((c) => `${c.name} ${plainType(c.type)}`).join(', ');
  if (columns.every((c) => inBundle.has(c.name))) return storage.importFrom(into, parquet, 'Parquet', structure(columns));
  if (storage.mode === 'remote') throw new BundleRefused(`${table.name}: the bundle lacks columns this version has (${columns.filter((c) => !inBundle.has(c.name)).map((c) => c.name).join(', ')}); import it into the embedded engine first, then export again`);
  const present = columns.filter((c) => inBundle.has(c.name));
  const list = raw(present.map((c) => c.name).join(', '));
  await storage.command(sql`INSERT INTO ${raw(into)} (${list}) SELECT ${list} FROM file(${parquet}, 'Parquet', ${structure(present)})`);
}

/** Loads into a copy of `table` (same engine, partitioning and order) and attaches its partitions: the views on `table` never see the rows. */
async function pastTheViews(storage: Storage, table: string, load: (into: string) => Promise<void>): Promise<void> {
  const copy = raw(`${table}__handover`);
  await storage.command(sql`DROP TABLE IF EXISTS ${copy}`);
  await storage.command(sql`CREATE TABLE ${copy} AS ${raw(table)}`);
  try {
    await load(`${table}__handover`);
    const partitions = await storage.query<{ id: string }>(sql`SELECT DISTINCT partition_id AS id FROM system.parts WHERE database = currentDatabase() AND table = ${`${table}__handover`} AND active`);
    for (const { id } of partitions) await storage.command(sql`ALTER TABLE ${raw(table)} ATTACH PARTITION ID ${id} FROM ${copy}`);
  } finally {
    await storage.command(sql`DROP TABLE IF EXISTS ${copy}`);
  }
}

function truncate(storage: Storage, table: string): Promise<void> {
  const { cluster } = storage.dialect;
  return storage.command(sql`TRUNCATE TABLE ${raw(localTable(storage.dialect, table))}${raw(cluster ? ` ON CLUSTER ${cluster}` : '')}`);
}

/** The type a file column is read as: a SimpleAggregateFunction's value is the type it wraps. */
function plainType(type: string): string {
  const simple = /^SimpleAggregateFunction\(\w+, (.*)\)$/.exec(type);
  return simple ? simple[1]! : type;
}
