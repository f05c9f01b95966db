import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from './client.ts';
import { readMigrations } from './migrate.ts';
import { renderStatement } from './dialect.ts';
import { dateTimeText, sql } from './sql.ts';
import { tempDir } from '../../test/helpers/runtime.ts';

let storage: Storage;
const dataDir = tempDir();
beforeAll(async () => {
  storage = await openStorage({ dataDir, log: () => undefined });
});
afterAll(async () => {
  await storage.close();
});

describe('migrations', () => {
  it('are applied once and recorded', async () => {
    const applied = await storage.query<{ version: number; name: string }>(sql`SELECT version, name FROM schema_migrations ORDER BY version`);
    expect(applied.map((m) => m.name)).toEqual(readMigrations({}).map((m) => m.name));
    const tables = await storage.query<{ name: string }>(sql`SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name`);
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['logs', 'logs_1m', 'logs_ingest', 'metrics', 'metrics_1h', 'metrics_1m', 'probes', 'probes_1h', 'probes_1m', 'ingest_batches']),
    );
  });

  it('give every telemetry row an environment', async () => {
    const rows = await storage.query<{ table: string }>(
      sql`SELECT table FROM system.columns WHERE database = currentDatabase() AND name = 'environment' AND has(${['logs', 'metrics', 'probes', 'probes_1m', 'probes_1h', 'metrics_1m', 'metrics_1h']}, table)`,
    );
    expect(rows).toHaveLength(7);
  });

  it('render cluster DDL (ON CLUSTER, Replicated engines, Distributed tables) that ClickHouse parses', async () => {
    const statements = readMigrations({ cluster: 'mimamori_cluster' }).flatMap((m) => m.statements);
    expect(statements.some((s) => /ReplicatedAggregatingMergeTree\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/probes_1m_local', '\{replica\}'\)/.test(s))).toBe(true);
    expect(statements.some((s) => /CREATE TABLE IF NOT EXISTS logs ON CLUSTER mimamori_cluster AS logs_local ENGINE = Distributed/.test(s))).toBe(true);
    // Versions of one key must meet on one shard for FINAL: Replacing tables are sharded by their key.
    expect(statements).toContain('CREATE TABLE IF NOT EXISTS users ON CLUSTER mimamori_cluster AS users_local ENGINE = Distributed(mimamori_cluster, currentDatabase(), users_local, cityHash64(id))');
    expect(statements.some((s) => s.includes("ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/users_local', '{replica}', version)"))).toBe(true);
    expect(statements.every((s) => !s.includes('{{'))).toBe(true);
    for (const statement of statements) {
      const [row] = await storage.query<{ f: string }>(sql`SELECT formatQuery(${statement}) AS f`);
      expect(row!.f).toMatch(/^(CREATE (TABLE|MATERIALIZED VIEW)|DROP VIEW|ALTER TABLE|INSERT INTO)/);
      // A backfill (INSERT … SELECT through the Distributed tables) runs once, from one node.
      if (!row!.f.startsWith('INSERT')) expect(row!.f).toContain('ON CLUSTER mimamori_cluster');
    }
  });

  it('have logs merge column by column, which holds far less memory while merging (a table of 3 columns outside the key would not qualify by default)', async () => {
    const [logs] = await storage.query<{ engine_full: string }>(sql`SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'logs'`);
    expect(logs!.engine_full).toContain('vertical_merge_algorithm_min_columns_to_activate = 1');
    expect(logs!.engine_full).toContain('vertical_merge_algorithm_min_rows_to_activate = 1');
  });

  it('never drop a later INSERT … SELECT as the duplicate of an earlier token insert (chDB keeps settings per session)', async () => {
    await storage.insertRows('ingest_batches', [{ key: 'k1', kind: 'logs', rows: 1, received_at: dateTimeText(Date.now()) }], 'token-a');
    await storage.command(sql`INSERT INTO ingest_batches SELECT 'k2', 'logs', 2, now64(3)`);
    await storage.command(sql`INSERT INTO ingest_batches SELECT 'k3', 'logs', 3, now64(3)`);
    const rows = await storage.query<{ key: string }>(sql`SELECT key FROM ingest_batches ORDER BY key`);
    expect(rows.map((r) => r.key)).toEqual(['k1', 'k2', 'k3']);
  });

  it('keep the single-node DDL free of cluster clauses', () => {
    const [single] = renderStatement('CREATE TABLE IF NOT EXISTS {{table:t}} {{on_cluster}} (a UInt8) ENGINE = {{engine:MergeTree}} ORDER BY a', {});
    expect(single).toBe('CREATE TABLE IF NOT EXISTS t  (a UInt8) ENGINE = MergeTree ORDER BY a');
  });
  it('give rows stored before stored_at existed the epoch, not the time a merge or a read happens to run (migration 021)', async () => {
    // As an instance older than migrations 018/020 had it: rows in a part without the column, then the column added.
    await storage.command(sql`DROP TABLE IF EXISTS stored_at_probe`);
    await storage.command(sql`CREATE TABLE stored_at_probe AS probes`);
    await storage.command(sql`ALTER TABLE stored_at_probe DROP INDEX stored_at_minmax`);
    await storage.command(sql`ALTER TABLE stored_at_probe DROP COLUMN stored_at`);
    await storage.command(sql`INSERT INTO stored_at_probe (timestamp, environment, target, ok, total_ms) VALUES (now64(3), 'production', 'old', true, 100)`);
    await storage.command(sql`ALTER TABLE stored_at_probe ADD COLUMN stored_at DateTime64(3, 'UTC') DEFAULT now64(3)`);
    const fix = readMigrations({}).find((m) => m.name.includes('stored_at_of_old_rows'))!;
    for (const statement of fix.statements.filter((s) => s.includes('{{table:probes}}') || /\bprobes\b/.test(s))) {
      for (const text of renderStatement(statement.replace(/\bprobes\b/g, 'stored_at_probe'), {})) await storage.command(sql([text] as unknown as TemplateStringsArray));
    }
    await storage.command(sql`INSERT INTO stored_at_probe (timestamp, environment, target, ok, total_ms) VALUES (now64(3), 'production', 'new', true, 100)`);
    await storage.command(sql`OPTIMIZE TABLE stored_at_probe FINAL`);
    const rows = await storage.query<{ target: string; stored: number }>(sql`SELECT target, toUnixTimestamp64Milli(stored_at) AS stored FROM stored_at_probe ORDER BY target`);
    expect(rows.map((r) => [r.target, Number(r.stored) === 0])).toEqual([['new', false], ['old', true]]);
    expect(Math.abs(Number(rows[0]!.stored) - Date.now())).toBeLessThan(60_000);
    await storage.command(sql`DROP TABLE stored_at_probe`);
  });
});
