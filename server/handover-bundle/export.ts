import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Operation, RunContext } from '../approvals/index.ts';
import { writeCsvWithBom } from '../approvals/data-operations.ts';
import { exportLearned, type LearnedParts } from '../learned/state.ts';
import type { MinerCursor } from '../patterns/index.ts';
import { raw, sql, type Sql } from '../storage/sql.ts';
import { localTable } from '../storage/dialect.ts';
import { meaningOf } from './columns.ts';
import { bundleReadme } from './readme.ts';
import { BUNDLED_TABLES, type BundledTable } from './tables.ts';
import { BUNDLE_FORMAT, type Manifest, type ManifestFile, type ManifestTable } from './manifest.ts';

/** A column holding aggregate states (t-digests, argMax): Parquet and CSV get its value, the Native file its state. */
const isState = (type: string) => type.startsWith('AggregateFunction(');

/** A table whose rows of one key merge into one (AggregatingMergeTree); on a cluster, its local table says. */
async function aggregating(storage: RunContext['storage'], table: string): Promise<boolean> {
  const [row] = await storage.query<{ engine: string }>(sql`SELECT engine FROM system.tables WHERE database = currentDatabase() AND name = ${localTable(storage.dialect, table)}`);
  return /AggregatingMergeTree$/.test(row?.engine ?? '');
}

/** SHA-256 and size of a file, read as a stream. */
export async function digest(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return { sha256: hash.digest('hex'), bytes: fs.statSync(file).size };
}

/**
 * The hand-over bundle (item 8), an operation that needs a second person:
 * every table as Parquet and CSV written by ClickHouse itself, aggregate
 * states also as Native (Parquet cannot hold them), the schema, the learned
 * state, a manifest with checksums and every column's meaning, and a README
 * for reading it without Mimamori.
 */
export function handoverExport(parts: LearnedParts): Operation<Record<string, never>> {
  return {
    name: 'export.handover',
    title: { ja: '引き継ぎ一式（全データ・学習状態・監査証跡）を出力', en: 'Export the hand-over bundle (all data, learned state, audit trail)' },
    fields: [],
    askedBy: ['operator', 'approver', 'admin'],
    validate: () => ({}),
    describe: () => ({
      ja: `全テーブル ${BUNDLED_TABLES.length} 個（テレメトリ、集計、台帳、監査証跡、利用者（パスワードのハッシュを除く）など）を Parquet と CSV で出力`,
      en: `all ${BUNDLED_TABLES.length} tables (telemetry, rollups, ledger, audit trail, users without password hashes, …) as Parquet and CSV`,
    }),
    run: (_params, ctx) => writeBundle(parts, ctx),
  };
}

async function writeBundle(parts: LearnedParts, ctx: RunContext) {
  const started = performance.now();
  fs.rmSync(ctx.dir, { recursive: true, force: true }); // an approved run that a crash interrupted starts over
  fs.mkdirSync(ctx.dir, { recursive: true, mode: 0o700 });
  // The trail is exported last and flushed first: it then includes this very run's approval.
  await ctx.flushAudit();
  const tables: ManifestTable[] = [];
  const learnedTables = new Set(['log_patterns', 'log_pattern_counts']);
  const write = async (table: BundledTable) => {
    ctx.progress?.({ done: tables.length, total: BUNDLED_TABLES.length, step: table.name });
    tables.push(await writeTable(ctx, table));
  };
  for (const table of BUNDLED_TABLES.filter((t) => !learnedTables.has(t.name))) await write(table);
  // The counts and the miner's cursor are taken together between two passes: the importing miner starts where these counts end.
  const { cursor, learned } = await parts.miner.hold(async (minerCursor) => {
    for (const table of BUNDLED_TABLES.filter((t) => learnedTables.has(t.name))) await write(table);
    return { cursor: structuredClone(minerCursor) as MinerCursor, learned: await exportLearned(parts) };
  });
  tables.sort((a, b) => BUNDLED_TABLES.findIndex((t) => t.name === a.name) - BUNDLED_TABLES.findIndex((t) => t.name === b.name));
  ctx.progress?.({ done: tables.length, total: BUNDLED_TABLES.length, step: 'manifest' });
  const files: ManifestFile[] = [];
  const writeFile = async (name: string, text: string, about: ManifestFile['about']) => {
    fs.writeFileSync(path.join(ctx.dir, name), text, { mode: 0o600 });
    files.push({ name, about, ...(await digest(path.join(ctx.dir, name))) });
  };
  await writeFile('schema.sql', await schemaSql(ctx), { ja: 'テーブル定義（ClickHouse）', en: 'Table definitions (ClickHouse)' });
  await writeFile('learned-state.json', `${JSON.stringify(learned, null, 2)}\n`, { ja: '学習したログパターンの木とインシデントの関連（docs/LEARNED-STATE.md の形式）', en: 'Learned pattern trees and incident links (format: docs/LEARNED-STATE.md)' });
  await writeFile('README.md', bundleReadme(tables), { ja: 'この一式の読み方', en: 'How to read this bundle' });
  const manifest: Manifest = {
    format: BUNDLE_FORMAT,
    version: 1,
    mimamori_version: parts.version,
    exported_at: new Date(ctx.now).toISOString(),
    requested_by: ctx.requester.name,
    approved_by: ctx.approver?.name ?? '',
    storage: ctx.storage.mode,
    miner_cursor: cursor,
    tables,
    files,
  };
  fs.writeFileSync(path.join(ctx.dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  const rows = tables.reduce((n, t) => n + t.rows, 0);
  const names = ['manifest.json', ...files.map((f) => f.name), ...tables.flatMap((t) => t.files.map((f) => f.name))];
  return { files: names, summary: `${tables.length} tables, ${rows} rows, ${names.length} files in ${((performance.now() - started) / 1000).toFixed(1)} s` };
}

async function writeTable(ctx: RunContext, table: BundledTable): Promise<ManifestTable> {
  const started = performance.now();
  const columns = await ctx.storage.columns(table.name);
  const blank = new Set(table.blank ?? []);
  const select = columns.map((c) => (blank.has(c.name) ? `'' AS ${c.name}` : isState(c.type) ? `finalizeAggregation(${c.name}) AS ${c.name}` : c.name)).join(', ');
  // A rollup's rows of one key in parts not yet merged are merged here (FINAL), so a reader sees one row per key with final values.
  const from = raw(`${table.name}${(await aggregating(ctx.storage, table.name)) ? ' FINAL' : ''}`);
  const parquet = path.join(ctx.dir, `${table.name}.parquet`);
  const files: ManifestTable['files'] = [];
  const add = async (name: string, format: ManifestTable['files'][number]['format']) => files.push({ name, format, ...(await digest(path.join(ctx.dir, name))) });
  await ctx.storage.exportTo(sql`SELECT ${raw(select)} FROM ${from}`, parquet, 'Parquet');
  await add(`${table.name}.parquet`, 'Parquet');
  // Embedded, the CSV and the row count come from the Parquet file itself, so the three agree while rows keep arriving;
  // a server cannot read this host's file, and writes the CSV from the table again.
  const written: Sql = ctx.storage.mode === 'embedded' ? sql`SELECT * FROM file(${parquet}, 'Parquet')` : sql`SELECT ${raw(select)} FROM ${from}`;
  await writeCsvWithBom(ctx.storage, written, path.join(ctx.dir, `${table.name}.csv`));
  await add(`${table.name}.csv`, 'CSVWithNames');
  if (columns.some((c) => isState(c.type))) {
    await ctx.storage.exportTo(sql`SELECT * FROM ${raw(table.name)}`, path.join(ctx.dir, `${table.name}.native`), 'Native');
    await add(`${table.name}.native`, 'Native');
  }
  const time = table.time ? raw(table.time) : raw('NULL');
  const [range] = await ctx.storage.query<{ first: string | null; last: string | null }>(sql`
    SELECT if(count() = 0, NULL, toString(min(${time}))) AS first, if(count() = 0, NULL, toString(max(${time}))) AS last FROM ${raw(table.name)}`);
  const [counted] = await ctx.storage.query<{ rows: number }>(sql`SELECT count() AS rows FROM (${written})`);
  return {
    name: table.name,
    about: table.about,
    rows: Number(counted?.rows ?? 0),
    time_column: table.time ?? null,
    from: range?.first ?? null,
    to: range?.last ?? null,
    seconds: Number(((performance.now() - started) / 1000).toFixed(3)),
    columns: columns.map((c) => ({ name: c.name, type: c.type, meaning: meaningOf(table.name, c.name) ?? { ja: '', en: '' }, ...(blank.has(c.name) ? { blanked: true } : {}) })),
    files,
  };
}

async function schemaSql(ctx: RunContext): Promise<string> {
  const names = BUNDLED_TABLES.map((t) => t.name);
  const rows = await ctx.storage.query<{ name: string; create_table_query: string }>(sql`
    SELECT name, create_table_query FROM system.tables WHERE database = currentDatabase() AND (name IN ${names} OR name IN ${names.map((n) => `${n}_local`)}) ORDER BY name`);
  const head = '-- The tables of this bundle as the exporting ClickHouse defines them. / 出力元の ClickHouse でのテーブル定義。\n';
  return `${head}\n${rows.map((r) => `${r.create_table_query};\n`).join('\n')}`;
}
