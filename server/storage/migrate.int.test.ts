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
});
