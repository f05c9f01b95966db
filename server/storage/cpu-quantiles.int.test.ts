import { describe, expect, it } from 'vitest';
import { openStorage } from './client.ts';
import { raw, sql } from './sql.ts';
import { tempDir } from '../../test/helpers/runtime.ts';

// Its own file: chDB opens one data directory per process, and this one
// closes and reopens its store to run a migration on rows stored before it.
const dataDir = tempDir();

describe('migration 015', () => {
  it('give the CPU rollups quantile state, backfilled from the raw samples stored before (015), without doubling counts', async () => {
    let store = await openStorage({ dataDir, log: () => undefined });
    // The state before 015: views without quantile state filled the rollups.
    await store.command(sql`DROP VIEW metrics_1m_mv`);
    await store.command(sql`DROP VIEW metrics_1h_mv`);
    await store.command(sql`INSERT INTO metrics (timestamp, environment, host, name, labels, value)
      SELECT toDateTime64('2026-10-01 00:00:00', 3, 'UTC') + toIntervalSecond(number * 15), 'production', 'db-1', 'cpu_utilisation_percent', map('cpu', 'total'), if(number % 4 = 3, 90, 10)
      FROM numbers(240)`);
    for (const [table, bucket] of [['metrics_1m', 'toStartOfMinute'], ['metrics_1h', 'toStartOfHour']] as const) {
      await store.command(sql`INSERT INTO ${raw(table)} (environment, name, host, labels_hash, labels, time, count, sum, min, max, last)
        SELECT environment, name, host, cityHash64(mapKeys(labels), mapValues(labels)) AS labels_hash, any(labels), ${raw(bucket)}(timestamp) AS time,
          count(), sum(value), min(value), max(value), argMaxState(value, timestamp)
        FROM metrics GROUP BY environment, name, host, labels_hash, time`);
    }
    await store.command(sql`DELETE FROM schema_migrations WHERE version = 15`);
    await store.close();
    store = await openStorage({ dataDir, log: () => undefined });
    try {
      for (const table of ['metrics_1m', 'metrics_1h']) {
        const [row] = await store.query<{ n: number; mean: number; p95: number; lo: number }>(sql`
          SELECT sum(count) AS n, sum(sum) / sum(count) AS mean, quantilesTDigestMerge(0.5, 0.95, 0.99)(cpu_quantiles)[2] AS p95, min(min) AS lo FROM ${raw(table)}`);
        // 240 samples, a quarter at 90 %: the minute means are all 30 %, the samples' p95 is 90 %.
        expect({ table, ...row }).toEqual({ table, n: 240, mean: 30, p95: 90, lo: 10 });
      }
      // The recreated views fill the state of new samples.
      await store.command(sql`INSERT INTO metrics (timestamp, environment, host, name, labels, value) VALUES ('2026-10-02 00:00:00', 'production', 'db-1', 'cpu_utilisation_percent', {'cpu': 'total'}, 55)`);
      const [late] = await store.query<{ p50: number }>(sql`SELECT quantilesTDigestMerge(0.5, 0.95, 0.99)(cpu_quantiles)[1] AS p50 FROM metrics_1h WHERE time = '2026-10-02 00:00:00'`);
      expect(late!.p50).toBe(55);
    } finally {
      await store.close();
    }
  });
});
