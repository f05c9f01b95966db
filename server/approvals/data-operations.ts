import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Storage } from '../storage/client.ts';
import { badRequest } from '../http/errors.ts';
import { raw, sql, ts, type Sql } from '../storage/sql.ts';
import type { Operation, OperationField, RunContext } from './operations.ts';
import { RETENTION_TABLES, setRetention } from '../storage/retention.ts';
import { choice, ENVIRONMENT_FIELD, range, RANGE_FIELDS, rowFilter, text, type RowFilter } from './params.ts';

// The operations that need a second person (item 16): raw rows out as a file,
// data deleted, retention shortened. Reports of aggregates do not need one.

const TELEMETRY = ['logs', 'metrics', 'probes'] as const;
type Kind = (typeof TELEMETRY)[number];
const KIND_FIELD: OperationField = { name: 'kind', kind: 'choice', required: true, choices: TELEMETRY, label: { ja: '種類', en: 'Kind' } };
const KIND_JA: Record<Kind, string> = { logs: 'ログ', metrics: 'メトリクス', probes: '外形監視の計測' };

/** What may be exported: the three tables, and `cpu`, the metrics rows of the all-core CPU series behind a capacity review. */
const EXPORTABLE = [...TELEMETRY, 'cpu'] as const;
type ExportKind = (typeof EXPORTABLE)[number];
const EXPORT_KIND_JA: Record<ExportKind, string> = { ...KIND_JA, cpu: 'CPU 使用率（メトリクス）' };
const CPU_METRIC = 'cpu_utilisation_percent';
const HOSTS_FIELD: OperationField = { name: 'hosts', kind: 'text', required: false, label: { ja: 'ホスト（カンマ区切り。メトリクス・CPU・ログ）', en: 'Hosts (comma-separated; metrics, CPU, logs)' }, empty: { ja: 'すべて', en: 'all' } };

/** The hosts a request names (comma-separated, at most 100), or none for all; probes have no host. */
function hostsOf(params: Record<string, unknown>, kind: ExportKind): string[] {
  const hosts = [...new Set((text(params, 'hosts', 4000) ?? '').split(',').map((h) => h.trim()).filter(Boolean))];
  if (hosts.length > 100) throw badRequest('invalid_request', 'hosts: at most 100', [{ field: 'hosts', reason: 'too many' }]);
  if (hosts.length > 0 && kind === 'probes') throw badRequest('invalid_request', 'hosts: probes have no host (choose metrics, cpu or logs)', [{ field: 'hosts', reason: 'not for probes' }]);
  return hosts;
}

/** Writes a query's rows as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read Japanese right), through ClickHouse. */
export async function exportCsv(ctx: RunContext, name: string, query: Sql): Promise<{ file: string; rows: number }> {
  await writeCsvWithBom(ctx.storage, query, path.join(ctx.dir, `${name}.csv`));
  const [row] = await ctx.storage.query<{ n: number }>(sql`SELECT count() AS n FROM (${query})`);
  return { file: `${name}.csv`, rows: Number(row?.n ?? 0) };
}

/** The file ClickHouse writes, with the byte-order mark put in front. */
export async function writeCsvWithBom(storage: Storage, query: Sql, file: string): Promise<void> {
  const plain = `${file}.plain`;
  await storage.exportTo(query, plain, 'CSVWithNames');
  const out = fs.createWriteStream(file, { mode: 0o600 });
  out.write('\ufeff');
  await pipeline(fs.createReadStream(plain), out);
  fs.rmSync(plain);
}

export const exportTelemetry: Operation<RowFilter & { kind: ExportKind; hosts: string[] }> = {
  name: 'export.telemetry',
  title: { ja: 'テレメトリ（ログ・メトリクス・計測）の生データを出力', en: 'Export raw telemetry rows (logs, metrics, probes)' },
  fields: [{ ...KIND_FIELD, choices: EXPORTABLE }, ...RANGE_FIELDS, ENVIRONMENT_FIELD, HOSTS_FIELD],
  validate(params, now) {
    const kind = choice(params, 'kind', EXPORTABLE);
    return { kind, ...rowFilter(params, now), hosts: hostsOf(params, kind) };
  },
  describe(p) {
    const hosts = p.hosts.length ? { ja: `、ホスト ${p.hosts.join(', ')}`, en: `, hosts ${p.hosts.join(', ')}` } : { ja: '', en: '' };
    return { ja: `${EXPORT_KIND_JA[p.kind]}の生データ（${range(p).ja}${hosts.ja}）を CSV で出力`, en: `${p.kind} rows, ${range(p).en}${hosts.en}, as CSV` };
  },
  async run(p, ctx) {
    const table = p.kind === 'cpu' ? 'metrics' : p.kind;
    const hosts = p.hosts.length ? sql` AND host IN ${p.hosts}` : sql``;
    // The all-core series only, as the reports read it; the collectors also send one per core.
    const cpu = p.kind === 'cpu' ? sql` AND name = ${CPU_METRIC} AND labels['cpu'] = 'total'` : sql``;
    const where = sql`timestamp >= ${ts(p.from)} AND timestamp < ${ts(p.to)} AND (${p.environment ?? ''} = '' OR environment = ${p.environment ?? ''})${hosts}${cpu}`;
    const { file, rows } = await exportCsv(ctx, p.kind, sql`SELECT * FROM ${raw(table)} WHERE ${where} ORDER BY timestamp`);
    return { files: [file], summary: `${rows} ${p.kind} rows` };
  },
};

interface AuditFilter extends RowFilter {
  actor?: string;
  action?: string;
  result?: string;
  role?: string;
}
const auditFilterText = (p: AuditFilter) => ['actor', 'action', 'result', 'role'].filter((k) => p[k as keyof AuditFilter]).map((k) => `${k}=${p[k as keyof AuditFilter]}`).join(', ');

export const exportAudit: Operation<AuditFilter> = {
  name: 'export.audit',
  title: { ja: '監査証跡を出力', en: 'Export the audit trail' },
  fields: [
    ...RANGE_FIELDS,
    { name: 'actor', kind: 'text', required: false, label: { ja: '実行者', en: 'Actor' }, empty: { ja: 'すべて', en: 'all' } },
    { name: 'action', kind: 'text', required: false, label: { ja: '操作（部分一致）', en: 'Action (part of it)' }, empty: { ja: 'すべて', en: 'all' } },
    { name: 'result', kind: 'choice', required: false, choices: ['ok', 'refused', 'failed'], label: { ja: '結果', en: 'Result' }, empty: { ja: 'すべて', en: 'all' } },
    { name: 'role', kind: 'text', required: false, label: { ja: '役割', en: 'Role' }, empty: { ja: 'すべて', en: 'all' } },
  ],
  validate(params, now) {
    const result = text(params, 'result', 10);
    if (result !== undefined) choice(params, 'result', ['ok', 'refused', 'failed'] as const);
    return { ...rowFilter(params, now), actor: text(params, 'actor', 100), action: text(params, 'action', 200), result, role: text(params, 'role', 20) };
  },
  describe(p) {
    const filter = auditFilterText(p);
    return { ja: `監査証跡（${range(p).ja}${filter ? `、${filter}` : ''}）を CSV で出力`, en: `audit entries, ${range(p).en}${filter ? `, ${filter}` : ''}, as CSV` };
  },
  async run(p, ctx) {
    await ctx.flushAudit();
    const { file, rows } = await exportCsv(ctx, 'audit', sql`
      SELECT seq, at, actor, role, via, address, action, object, result, status, detail, prev_hash, hash FROM audit_log
      WHERE at >= ${ts(p.from)} AND at < ${ts(p.to)}
        AND (${p.actor ?? ''} = '' OR actor = ${p.actor ?? ''})
        AND (${p.action ?? ''} = '' OR positionCaseInsensitive(action, ${p.action ?? ''}) > 0)
        AND (${p.result ?? ''} = '' OR result = ${p.result ?? ''})
        AND (${p.role ?? ''} = '' OR role = ${p.role ?? ''})
      ORDER BY seq`);
    return { files: [file], summary: `${rows} audit entries` };
  },
};

export const exportLedger: Operation<RowFilter> = {
  name: 'export.ledger',
  title: { ja: 'インシデント管理台帳の全履歴を出力', en: 'Export the incident ledger’s events' },
  fields: RANGE_FIELDS,
  validate: (params, now) => rowFilter(params, now),
  describe: (p) => ({ ja: `チケットの履歴（${range(p).ja}）を CSV で出力`, en: `ticket events, ${range(p).en}, as CSV` }),
  async run(p, ctx) {
    const { file, rows } = await exportCsv(ctx, 'ledger', sql`SELECT * FROM ticket_events WHERE at >= ${ts(p.from)} AND at < ${ts(p.to)} ORDER BY at`);
    return { files: [file], summary: `${rows} ticket events` };
  },
};

export const purgeTelemetry: Operation<RowFilter & { kind: Kind }> = {
  name: 'purge.telemetry',
  title: { ja: 'テレメトリの生データを削除', en: 'Delete raw telemetry rows' },
  fields: [KIND_FIELD, ...RANGE_FIELDS, ENVIRONMENT_FIELD],
  validate: (params, now) => ({ kind: choice(params, 'kind', TELEMETRY), ...rowFilter(params, now) }),
  describe: (p) => ({ ja: `${KIND_JA[p.kind]}の生データ（${range(p).ja}）を削除（集計値は残ります）`, en: `DELETE ${p.kind} rows, ${range(p).en} (rollups keep their counts)` }),
  async run(p, ctx) {
    const where = sql`timestamp >= ${ts(p.from)} AND timestamp < ${ts(p.to)} AND (${p.environment ?? ''} = '' OR environment = ${p.environment ?? ''})`;
    const [before] = await ctx.storage.query<{ n: number }>(sql`SELECT count() AS n FROM ${raw(p.kind)} WHERE ${where}`);
    await ctx.storage.command(sql`DELETE FROM ${raw(p.kind)} WHERE ${where}`);
    return { files: [], summary: `deleted ${Number(before?.n ?? 0)} ${p.kind} rows` };
  },
};

const TABLES = Object.keys(RETENTION_TABLES);

export const shortenRetention: Operation<{ table: string; fromDays?: number; toDays: number }> = {
  name: 'retention.shorten',
  title: { ja: '保存期間の短縮（古いデータが削除されます）', en: 'Shorten a retention (older data is deleted)' },
  fields: [
    { name: 'table', kind: 'choice', required: true, choices: TABLES, label: { ja: 'テーブル', en: 'Table' } },
    { name: 'toDays', kind: 'days', required: true, label: { ja: '新しい保存日数', en: 'New retention (days)' } },
  ],
  validate(params) {
    const table = choice(params, 'table', TABLES);
    const toDays = Number(params.toDays);
    if (!Number.isInteger(toDays) || toDays < 1) throw badRequest('invalid_request', 'toDays: a whole number of days, at least 1', [{ field: 'toDays', reason: 'invalid' }]);
    // fromDays is what the server found in the table when it asked itself; a person's request leaves it out.
    const fromDays = Number(params.fromDays);
    return { table, toDays, ...(Number.isInteger(fromDays) && fromDays > 0 ? { fromDays } : {}) };
  },
  describe: (p) => {
    const from = p.fromDays ? `${p.fromDays} → ` : '';
    return {
      ja: `${p.table} の保存期間を ${from}${p.toDays} 日に短縮。${p.toDays} 日より古い行は削除されます`,
      en: `retention of ${p.table}: ${from}${p.toDays} days; rows older than ${p.toDays} days are deleted`,
    };
  },
  async run(p, ctx) {
    await setRetention(ctx.storage, p.table, RETENTION_TABLES[p.table]!, p.toDays);
    return { files: [], summary: `retention of ${p.table} is ${p.toDays} days` };
  },
};
