import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { renderStatement, splitStatements, type Dialect } from './dialect.ts';
import { dateTimeText } from './sql.ts';

export interface Migration {
  version: number;
  name: string;
  statements: string[];
  checksum: string;
}

const MIGRATIONS_DIR = path.join(import.meta.dirname, 'migrations');
const BOOKKEEPING_SQL = `CREATE TABLE IF NOT EXISTS {{table:schema_migrations}} {{on_cluster}}
  (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC'))
  ENGINE = {{engine:MergeTree}} ORDER BY version`;

/** The numbered SQL files, rendered for this node or cluster, in order. */
export function readMigrations(dialect: Dialect, dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, 3)),
        name: file.replace(/\.sql$/, ''),
        statements: splitStatements(text).flatMap((s) => renderStatement(s, dialect)),
        checksum: createHash('sha256').update(text).digest('hex').slice(0, 16),
      };
    });
}

/**
 * Applies every migration not yet recorded in schema_migrations. Statements
 * use IF NOT EXISTS, so a migration interrupted half-way is simply re-run.
 */
export async function migrate(client: ClickHouseClient, dialect: Dialect, log: (msg: string) => void): Promise<number[]> {
  for (const statement of renderStatement(BOOKKEEPING_SQL, dialect)) await client.command({ query: statement });
  const result = await client.query({ query: 'SELECT version, checksum FROM schema_migrations', format: 'JSONEachRow' });
  const applied = new Map((await result.json<{ version: number; checksum: string }>()).map((r) => [r.version, r.checksum]));
  const done: number[] = [];
  for (const migration of readMigrations(dialect)) {
    if (applied.has(migration.version)) {
      if (applied.get(migration.version) !== migration.checksum) {
        log(`migration ${migration.name} changed after it was applied; the stored schema keeps the applied version`);
      }
      continue;
    }
    for (const statement of migration.statements) await client.command({ query: statement });
    await client.insert({
      table: 'schema_migrations',
      values: [{ version: migration.version, name: migration.name, checksum: migration.checksum, applied_at: dateTimeText(Date.now()) }],
      format: 'JSONEachRow',
      clickhouse_settings: { insert_deduplication_token: `migration-${migration.version}-${Date.now()}` },
    });
    log(`applied migration ${migration.name}`);
    done.push(migration.version);
  }
  return done;
}
