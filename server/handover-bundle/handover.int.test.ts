import fs from 'node:fs';
import path from 'node:path';
import { parquetMetadataAsync, parquetReadObjects, type AsyncBuffer } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, tempDir, type TestRuntime } from '../../test/helpers/runtime.ts';
import { PatternMiner } from '../patterns/miner.ts';
import { openStorage } from '../storage/client.ts';
import { sql, ts, typed } from '../storage/sql.ts';
import { checkBundle, importBundle, BundleRefused } from './import.ts';
import type { Manifest } from './manifest.ts';
import { BUNDLED_TABLES, LEFT_OUT } from './tables.ts';
import { meaningOf } from './columns.ts';
import { handoverExport } from './export.ts';
import type { RunProgress } from '../approvals/operations.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of the API under test
type Json = any;

// The hand-over round trip (item 8) on the real engine: an instance with a
// month of telemetry, a ledger, a known incident and an audit trail exports
// its bundle through four-eyes approval; a fresh data directory imports it;
// the second instance answers the same as the first.
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const jst = (wall: string) => Date.parse(`${wall}+09:00`);
const T1 = Math.floor((Date.now() - 4 * HOUR) / MINUTE) * MINUTE + 30_000;
const T2 = T1 + 2 * HOUR;
let clock = T1;
const keys = { operator: 'operator-key-0123456789', approver: 'approver-key-0123456789' };
const yaml = `agent: { enabled: false }
rules: []
patterns: { enabled: false }
api_keys:
  - { actor: 佐藤, role: operator, secret_env: OP_KEY }
  - { actor: foundation-it, role: approver, secret_env: AP_KEY }
`;
const open = (dataDir: string) => openTestRuntime({ yaml, env: { OP_KEY: keys.operator, AP_KEY: keys.approver }, now: () => clock, dataDir });

let rt: TestRuntime;
const dirA = tempDir('mimamori-handover-a-');
const dirB = tempDir('mimamori-handover-b-');
let bundle: string;
let ticket2: string;
const before: Record<string, Json> = {};

async function call(method: 'GET' | 'POST', url: string, who: 'operator' | 'approver' | 'admin', payload?: object): Promise<Json> {
  clock += 1000;
  const res = await rt.app.inject({ method, url, headers: who === 'admin' ? rt.admin : { authorization: `Bearer ${keys[who]}` }, payload });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.json();
}
async function ingestErrors(at: number, count: number) {
  const body = Array.from({ length: count }, (_, i) => JSON.stringify({ timestamp: at - 20 * MINUTE + i * 15_000, environment: 'production', host: 'ap-1', service: 'payments', level: 'error', message: `payment gateway refused card ending ${1000 + i * 7}: code ${50 + (i % 3)}` })).join('\n');
  const res = await rt.app.inject({ method: 'POST', url: '/api/v1/ingest/logs', headers: { ...rt.auth, 'content-type': 'application/x-ndjson' }, payload: body });
  expect(res.statusCode, res.body).toBe(200);
  await rt.writer.flush();
}
/** What the round trip must keep: October's report, every ticket with its timeline, the suggestions for the second ticket. */
async function answers() {
  const tickets = (await call('GET', '/api/v1/tickets?limit=100', 'admin')) as Json;
  const list = (tickets.tickets ?? tickets) as Json[];
  const timelines = await Promise.all(list.map((t: Json) => call('GET', `/api/v1/tickets/${t.number}`, 'admin')));
  const report = await call('GET', '/api/v1/reports/monthly?month=2026-10&environment=production&format=json', 'admin');
  const suggestions = await call('GET', `/api/v1/tickets/${ticket2}/suggestions`, 'admin');
  return { report: withoutIssueTime(report), timelines, suggestions };
}
const withoutIssueTime = (report: Json) => JSON.parse(JSON.stringify(report, (k, v) => (k === 'generated_at' ? undefined : v)));

beforeAll(async () => {
  rt = await open(dirA);
  // October 2026: a day of probes on two targets (one slow hour), CPU on two hosts, errors.
  await rt.storage.command(sql`
    INSERT INTO probes (timestamp, environment, target, url, ok, status, total_ms, ttfb_ms)
    SELECT ${ts(jst('2026-10-20T00:00'))} + toIntervalMinute(number % 1440), 'production', if(number < 1440, 'portal', 'api'), 'https://example.jp/', number % 97 != 0, if(number % 97 != 0, 200, 0),
      if(intDiv(number % 1440, 60) = 12, 6000 + number % 500, 150 + number % 300), if(number % 5 = 0, NULL, 40 + number % 30)
    FROM numbers(2880)`);
  // A second part with rows of minutes the first has: the rollups hold two rows of those keys until a merge.
  await rt.storage.command(sql`
    INSERT INTO probes (timestamp, environment, target, url, ok, status, total_ms)
    SELECT ${ts(jst('2026-10-20T00:00'))} + toIntervalMinute(number), 'production', 'portal', 'https://example.jp/', true, 200, 333 FROM numbers(10)`);
  await rt.storage.command(sql`
    INSERT INTO metrics (timestamp, environment, host, name, labels, value)
    SELECT ${ts(jst('2026-10-01T00:00'))} + toIntervalMinute(number * 10), 'production', if(number % 2 = 0, 'web-1', 'db-1'), 'cpu_utilisation_percent', map('cpu', 'total'), 30 + (number * 37) % 65
    FROM numbers(${typed(31 * 144, 'UInt32')})`);
  await rt.storage.command(sql`
    INSERT INTO logs (timestamp, environment, host, service, level, message)
    SELECT ${ts(jst('2026-10-03T09:00'))} + toIntervalSecond(number * 7), 'production', 'web-1', if(number % 3 = 0, 'api', 'portal'), if(number % 4 = 0, 'error', 'warn'), concat('request failed after ', toString(number), ' ms') FROM numbers(500)`);
  // A known incident (issue 18): its errors are mined, the ticket is worked and closed, the errors come back.
  const miner = PatternMiner.open(rt.storage, rt.dataDir, { settleMs: 0, batchLines: 1000, intervalMs: 1000, now: () => clock });
  await ingestErrors(T1, 40);
  await miner.catchUp();
  const ticket1 = (await call('POST', '/api/v1/tickets', 'operator', { type: 'incident', title: 'カード決済エラー多発', environment: 'production' })).number;
  const workaround = (await call('POST', '/api/v1/workarounds', 'operator', { title: '決済ワーカー再起動', steps: ['systemctl restart payment-worker'] })).id;
  await call('POST', `/api/v1/workarounds/${workaround}/approve`, 'approver', { version: 1 });
  await call('POST', `/api/v1/tickets/${ticket1}/workarounds/${workaround}/apply`, 'operator', { phase: 'about_to_execute' });
  await call('POST', `/api/v1/tickets/${ticket1}/workarounds/${workaround}/apply`, 'operator', { phase: 'executed' });
  await call('POST', `/api/v1/tickets/${ticket1}/close`, 'operator', { report: { event: '決済が失敗', cause: '代行会社の障害', impact: '20 分', interim_fix: '再起動', permanent_fix: '冗長化' }, root_cause_category: 'external', warranty_defect: 'not_a_warranty_defect' });
  for (let i = 0; i < 200 && !rt.known.all().some((l) => l.ticket === ticket1 && l.kind === 'pattern'); i++) await new Promise((r) => setTimeout(r, 50));
  clock = T2;
  await ingestErrors(T2, 30);
  await miner.catchUp();
  ticket2 = (await call('POST', '/api/v1/tickets', 'operator', { type: 'incident', title: '決済できない', environment: 'production' })).number;
  // The runtime's miner reads the trees the test's miner saved, as after a restart.
  await rt.close();
  rt = await open(dirA);
  Object.assign(before, await answers());
  expect(before.suggestions.suggestions.length).toBeGreaterThan(0);

  // Four eyes: asked by one, approved by another, run on the server into <data>/exports/<id>/.
  const made = await call('POST', '/api/v1/requests', 'operator', { operation: 'export.handover', params: {}, reason: 'hand-over to the next vendor' });
  const approved = await call('POST', `/api/v1/requests/${made.id}/approve`, 'approver', {});
  let state = approved.state as string;
  for (let i = 0; i < 600 && state === 'approved'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    state = (await call('GET', `/api/v1/requests/${made.id}`, 'operator')).state;
  }
  expect(state).toBe('ran');
  bundle = path.join(dirA, 'exports', made.id);
  await rt.close();
}, 180_000);
afterAll(async () => rt?.close());

describe('hand-over bundle (issue 19, item 8)', () => {
  it('holds every bundled table as Parquet and CSV with a BOM, rollups also as Native states, and a manifest with checksums and every column’s meaning', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(bundle, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.tables.map((t) => t.name)).toEqual(BUNDLED_TABLES.map((t) => t.name));
    expect(manifest.approved_by).toBe('foundation-it');
    for (const table of manifest.tables) {
      expect(table.files.map((f) => f.format).slice(0, 2)).toEqual(['Parquet', 'CSVWithNames']);
      expect(table.files.some((f) => f.format === 'Native')).toBe(table.columns.some((c) => c.type.startsWith('AggregateFunction(')));
      for (const c of table.columns) expect(c.meaning.ja && c.meaning.en, `${table.name}.${c.name} has a meaning`).toBeTruthy();
    }
    const probes = manifest.tables.find((t) => t.name === 'probes')!;
    expect(probes.rows).toBe(2890);
    // Readers get one row per rollup key, with final values, though the table had not merged its two parts.
    const minutes = manifest.tables.find((t) => t.name === 'probes_1m')!;
    expect(minutes.rows).toBe(2880);
    expect([probes.from, probes.to]).toEqual(['2026-10-19 15:00:00.000', '2026-10-20 14:59:00.000']);
    const csv = fs.readFileSync(path.join(bundle, 'ticket_events.csv'));
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.toString('utf8')).toContain('カード決済エラー多発');
    // Secrets stay behind: the users' hashes are blank in every file.
    const users = manifest.tables.find((t) => t.name === 'users')!;
    expect(users.columns.find((c) => c.name === 'password_hash')).toMatchObject({ blanked: true });
    expect(fs.readFileSync(path.join(bundle, 'users.csv'), 'utf8')).not.toMatch(/\$argon2/);
    for (const name of ['schema.sql', 'learned-state.json', 'README.md']) expect(manifest.files.map((f) => f.name)).toContain(name);
    expect(fs.readFileSync(path.join(bundle, 'schema.sql'), 'utf8')).toMatch(/CREATE TABLE [\w.]*ticket_events/);
  });

  it('every table of the schema is bundled or left out for a stated reason, and every bundled column has a ja/en meaning', async () => {
    const storage = await openStorage({ dataDir: tempDir(), log: () => undefined });
    try {
      const tables = await storage.query<{ name: string; engine: string }>(sql`SELECT name, engine FROM system.tables WHERE database = currentDatabase() AND engine NOT LIKE '%View'`);
      const bundled = new Set(BUNDLED_TABLES.map((t) => t.name));
      expect(tables.filter((t) => !bundled.has(t.name) && !LEFT_OUT[t.name]).map((t) => t.name)).toEqual([]);
      // A table the views fill is marked derived, so the import does not count its sources' rows into it twice.
      const views = await storage.query<{ target: string; source: string }>(sql`
        SELECT extract(create_table_query, ${String.raw` TO (?:\w+\.)?(\w+) `}) AS target, extract(create_table_query, ${String.raw` FROM (?:\w+\.)?(\w+)`}) AS source
        FROM system.tables WHERE database = currentDatabase() AND engine = 'MaterializedView'`);
      const derived = views.filter((v) => bundled.has(v.source)).map((v) => v.target).sort();
      expect(derived.length).toBeGreaterThanOrEqual(5);
      expect(BUNDLED_TABLES.filter((t) => t.derived).map((t) => t.name).sort()).toEqual([...new Set(derived)]);
      const sources = views.filter((v) => bundled.has(v.source)).map((v) => v.source);
      expect(BUNDLED_TABLES.filter((t) => t.feedsViews).map((t) => t.name).sort()).toEqual([...new Set(sources)].sort());
      const columns = await storage.query<{ table: string; name: string }>(sql`SELECT table, name FROM system.columns WHERE database = currentDatabase() AND table IN ${[...bundled]}`);
      expect(columns.filter((c) => !meaningOf(c.table, c.name)).map((c) => `${c.table}.${c.name}`)).toEqual([]);
    } finally {
      await storage.close();
    }
  });

  it('its Parquet files open with a second, independent reader (hyparquet) with the row counts of the manifest', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(bundle, 'manifest.json'), 'utf8')) as Manifest;
    for (const table of manifest.tables) {
      const file = fileBuffer(path.join(bundle, `${table.name}.parquet`));
      const meta = await parquetMetadataAsync(file);
      expect(Number(meta.num_rows), table.name).toBe(table.rows);
    }
    const probes = await parquetReadObjects({ file: fileBuffer(path.join(bundle, 'probes.parquet')), columns: ['target', 'total_ms'], compressors });
    expect(probes.filter((p) => p.target === 'portal' && p.total_ms >= 5000)).toHaveLength(60);
    const minutes = await parquetReadObjects({ file: fileBuffer(path.join(bundle, 'probes_1m.parquet')), columns: ['target', 'time', 'count'], compressors });
    expect(minutes.filter((m) => m.target === 'portal' && Number(m.count) === 2)).toHaveLength(10);
  });

  it('a bundle with one byte changed in a Parquet file is refused, naming that file, with nothing imported', async () => {
    const copy = tempDir('mimamori-handover-tampered-');
    fs.cpSync(bundle, copy, { recursive: true });
    const file = path.join(copy, 'ticket_events.parquet');
    const bytes = fs.readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    fs.writeFileSync(file, bytes);
    await expect(checkBundle(copy)).rejects.toThrow(/^ticket_events\.parquet was changed/);
    fs.rmSync(path.join(copy, 'probes.csv'));
    fs.copyFileSync(path.join(bundle, 'ticket_events.parquet'), file);
    await expect(checkBundle(copy)).rejects.toThrow(new BundleRefused('probes.csv is missing from the bundle'));
    // A manifest naming a file outside the bundle (its checksum that of a harmless file) is refused before anything is read.
    fs.copyFileSync(path.join(bundle, 'probes.csv'), path.join(copy, 'probes.csv'));
    const manifest = JSON.parse(fs.readFileSync(path.join(copy, 'manifest.json'), 'utf8')) as Manifest;
    manifest.tables[0]!.files[0]!.name = '../../etc/passwd';
    fs.writeFileSync(path.join(copy, 'manifest.json'), JSON.stringify(manifest));
    await expect(checkBundle(copy)).rejects.toThrow('manifest.json names a file outside the bundle: "../../etc/passwd"');
  });

  it('imports into a fresh data directory: the October report figure for figure, the ledger with its timelines, the suggestions, and the audit chain verifying', async () => {
    const manifest = await checkBundle(bundle);
    const storage = await openStorage({ dataDir: dirB, log: () => undefined });
    let result;
    try {
      result = await importBundle(storage, dirB, bundle, manifest);
      // Told nothing, a second import refuses the instance that is no longer empty, and says why.
      await expect(importBundle(storage, dirB, bundle, manifest)).rejects.toThrow(/this instance is not empty \(.*ticket_events: \d+ rows.*--replace/);
    } finally {
      await storage.close();
    }
    const exported = manifest.tables.find((t) => t.name === 'audit_log')!.rows;
    expect(exported).toBeGreaterThan(5);
    expect(result.chain).toMatchObject({ ok: true, entries: exported + 1 });
    rt = await open(dirB);
    const after = await answers();
    expect(after.report).toEqual(before.report);
    expect(after.timelines).toEqual(before.timelines);
    expect(after.suggestions).toEqual(before.suggestions);
    const verify = await call('GET', '/api/v1/audit/verify', 'admin');
    expect(verify.ok).toBe(true);
    const [imported] = await rt.storage.query<{ action: string; seq: number }>(sql`SELECT action, seq FROM audit_log WHERE action = 'handover.import'`);
    expect(Number(imported!.seq)).toBe(exported + 1);
  });

  it('says how far it is while it runs: each table in turn, then the manifest', async () => {
    const op = handoverExport({ storage: rt.storage, miner: rt.miner, known: rt.known, now: () => clock, version: 'test' });
    const seen: RunProgress[] = [];
    const out = tempDir('mimamori-handover-progress-');
    await op.run({}, { storage: rt.storage, dir: out, now: clock, flushAudit: () => rt.trail.flush(), requester: { name: 'a', role: 'operator' }, approver: { name: 'b', role: 'approver' }, progress: (p) => seen.push(p) });
    expect(seen.map((p) => p.step)).toEqual([...BUNDLED_TABLES.map((t) => t.name).filter((n) => !n.startsWith('log_pattern')), 'log_patterns', 'log_pattern_counts', 'manifest']);
    expect(seen.map((p) => p.done)).toEqual(seen.map((_, i) => i));
    expect(new Set(seen.map((p) => p.total))).toEqual(new Set([BUNDLED_TABLES.length]));
  });
});

/** A file as hyparquet reads it: byte ranges on demand. */
function fileBuffer(file: string): AsyncBuffer {
  const bytes = fs.readFileSync(file);
  return { byteLength: bytes.length, slice: (start, end) => bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + (end ?? bytes.length)) };
}
