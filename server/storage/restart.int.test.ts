import { describe, expect, it } from 'vitest';
import { openTestRuntime, tempDir } from '../../test/helpers/runtime.ts';
import { sql } from './sql.ts';

describe('restart', () => {
  it('keeps data across close and reopen of the same directory, and applies a longer retention at once', async () => {
    const dataDir = tempDir();
    const first = await openTestRuntime({ dataDir, yaml: 'retention: { logs: 30d }' });
    const rows = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ timestamp: Date.now() - 60_000 + i, environment: 'production', service: 'restart', message: `m${i}` })).join('\n');
    const res = await first.app.inject({ method: 'POST', url: '/api/v1/ingest/logs', payload: rows, headers: { ...first.auth, 'content-type': 'application/x-ndjson', 'idempotency-key': 'restart-1' } });
    expect(res.json()).toEqual({ accepted: 1000, duplicate: false });
    // Close without an explicit flush: close() must load what was accepted.
    await first.close();

    const second = await openTestRuntime({ dataDir, yaml: 'retention: { logs: 90d }' }); // a shorter one waits for approval (approvals.int.test.ts)
    try {
      const [count] = await second.storage.query<{ n: string }>(sql`SELECT count() AS n FROM logs WHERE service = 'restart'`);
      expect(Number(count!.n)).toBe(1000);
      // The idempotency key survives the restart too.
      const again = await second.app.inject({ method: 'POST', url: '/api/v1/ingest/logs', payload: rows, headers: { ...second.auth, 'content-type': 'application/x-ndjson', 'idempotency-key': 'restart-1' } });
      expect(again.json()).toEqual({ accepted: 1000, duplicate: true });
      const [ddl] = await second.storage.query<{ q: string }>(sql`SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = 'logs'`);
      expect(ddl!.q).toMatch(/TTL toDateTime\(timestamp\) \+ toIntervalDay\(90\)|INTERVAL 90 DAY/);
    } finally {
      await second.close();
    }
  });
});
