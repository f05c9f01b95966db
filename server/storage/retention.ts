import type { Storage } from './client.ts';
import { raw, sql } from './sql.ts';

export interface Retention {
  logsDays: number;
  metricsDays: number;
  probesDays: number;
  rollupsDays: number;
}

/** Sets each table's TTL from the config whenever it differs from what the table has. */
export async function applyRetention(storage: Storage, retention: Retention, log: (msg: string) => void): Promise<void> {
  const wanted: [table: string, column: string, days: number][] = [
    ['logs', 'timestamp', retention.logsDays],
    ['metrics', 'timestamp', retention.metricsDays],
    ['probes', 'timestamp', retention.probesDays],
    ['logs_1m', 'time', Math.max(retention.rollupsDays, retention.logsDays)],
    ['metrics_1m', 'time', retention.metricsDays],
    ['probes_1m', 'time', retention.probesDays],
    ['metrics_1h', 'time', Math.max(retention.rollupsDays, retention.metricsDays)],
    ['probes_1h', 'time', Math.max(retention.rollupsDays, retention.probesDays)],
  ];
  const local = (t: string) => (storage.dialect.cluster ? `${t}_local` : t);
  const rows = await storage.query<{ name: string; create_table_query: string }>(
    sql`SELECT name, create_table_query FROM system.tables WHERE database = currentDatabase() AND has(${wanted.map(([t]) => local(t))}, name)`,
  );
  const current = new Map(rows.map((r) => [r.name, /\bTTL\b[^\n]*?INTERVAL (\d+) DAY/.exec(r.create_table_query)?.[1]]));
  for (const [table, column, days] of wanted) {
    if (current.get(local(table)) === String(days)) continue;
    const onCluster = storage.dialect.cluster ? ` ON CLUSTER ${storage.dialect.cluster}` : '';
    // Table and column names come from the fixed list above, never from input.
    await storage.command(
      sql`ALTER TABLE ${raw(local(table))}${raw(onCluster)} MODIFY TTL toDateTime(${raw(column)}) + INTERVAL ${raw(String(days))} DAY SETTINGS materialize_ttl_after_modify = 0`,
    );
    log(`retention of ${table} set to ${days} days`);
  }
}
