import type { Storage } from './client.ts';
import { raw, sql } from './sql.ts';

export interface Retention {
  logsDays: number;
  metricsDays: number;
  probesDays: number;
  rollupsDays: number;
}

/** A retention the config would shorten: it is not applied until a second person approves (item 16). */
export type ShorterRetention = { table: string; column: string; fromDays: number; toDays: number };

/**
 * Sets each table's TTL from the config whenever it differs from what the
 * table has. A longer (or first) retention applies at once; a shorter one
 * would delete data, so it is handed to `onShorter` instead (the server
 * makes it a four-eyes request) and the table keeps its TTL meanwhile.
 */
export async function applyRetention(storage: Storage, retention: Retention, log: (msg: string) => void, onShorter?: (change: ShorterRetention) => Promise<void>): Promise<void> {
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
  // The engine shows a TTL as `toIntervalDay(90)` (older versions: `INTERVAL 90 DAY`).
  const current = new Map(rows.map((r) => {
    const m = /\bTTL\b.*?(?:INTERVAL (\d+) DAY|toIntervalDay\((\d+)\))/.exec(r.create_table_query);
    return [r.name, m?.[1] ?? m?.[2]];
  }));
  for (const [table, column, days] of wanted) {
    const now = current.get(local(table));
    if (now === String(days)) continue;
    if (now !== undefined && days < Number(now) && onShorter) {
      await onShorter({ table, column, fromDays: Number(now), toDays: days });
      continue;
    }
    await setRetention(storage, table, column, days);
    log(`retention of ${table} set to ${days} days`);
  }
}

/** Sets one table's TTL (the table and column come from the fixed list above, never from input). */
export async function setRetention(storage: Storage, table: string, column: string, days: number): Promise<void> {
  const local = storage.dialect.cluster ? `${table}_local` : table;
  const onCluster = storage.dialect.cluster ? ` ON CLUSTER ${storage.dialect.cluster}` : '';
  await storage.command(sql`ALTER TABLE ${raw(local)}${raw(onCluster)} MODIFY TTL toDateTime(${raw(column)}) + INTERVAL ${raw(String(days))} DAY SETTINGS materialize_ttl_after_modify = 0`);
}

/** The tables whose retention the config sets, with their time column (what a shorter-retention request may name). */
export const RETENTION_TABLES: Record<string, string> = { logs: 'timestamp', metrics: 'timestamp', probes: 'timestamp', logs_1m: 'time', metrics_1m: 'time', probes_1m: 'time', metrics_1h: 'time', probes_1h: 'time' };
