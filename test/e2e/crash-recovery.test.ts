import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServerProcess, waitForExit } from '../helpers/server-process.ts';
import { tempDir } from '../helpers/runtime.ts';
import { openStorage } from '../../server/storage/client.ts';
import { sql } from '../../server/storage/sql.ts';

const ROWS_PER_BATCH = 500;
const CONCURRENCY = 4;

function batch(n: number): string {
  const now = Date.now();
  return Array.from({ length: ROWS_PER_BATCH }, (_, i) => JSON.stringify({ timestamp: now, environment: 'production', service: 'crash', message: `b${n}-r${i}` })).join('\n');
}

describe('kill -9 during a stream of acknowledged batches', () => {
  it('keeps every acknowledged row, exactly once, and a retried in-flight batch is stored once', async () => {
    const dataDir = tempDir();
    const env = { MIMAMORI_DATA: dataDir };
    const server = await startServerProcess(env);
    const token = fs.readFileSync(path.join(dataDir, 'ingest-token'), 'utf8').trim();
    const send = (url: string, n: number) =>
      fetch(`${url}/api/v1/ingest/logs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson', 'idempotency-key': `crash-${n}` },
        body: batch(n),
      });

    const acked = new Set<number>();
    const attempted = new Set<number>();
    let next = 0;
    let killed = false;
    const worker = async () => {
      while (!killed && next < 400) {
        const n = next++;
        attempted.add(n);
        try {
          const res = await send(server.url, n);
          if (res.ok) acked.add(n);
        } catch {
          // the connection died with the server: this batch is not acknowledged
        }
        if (acked.size >= 60 && !killed) {
          killed = true;
          server.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await waitForExit(server.child);
    expect(acked.size).toBeGreaterThanOrEqual(60);

    // Restart on the same directory; a client retries what it never heard back about.
    const restarted = await startServerProcess(env);
    const unacked = [...attempted].filter((n) => !acked.has(n));
    for (const n of unacked) expect((await send(restarted.url, n)).status).toBe(200);
    restarted.child.kill('SIGTERM');
    expect(await waitForExit(restarted.child)).toBe(0);

    const storage = await openStorage({ dataDir, log: () => undefined });
    try {
      const [row] = await storage.query<{ total: string; distinct: string; batches: string }>(
        sql`SELECT count() AS total, uniqExact(message) AS distinct, uniqExact(splitByChar('-', message)[1]) AS batches FROM logs WHERE service = 'crash'`,
      );
      expect(Number(row!.total)).toBe(attempted.size * ROWS_PER_BATCH);
      expect(Number(row!.distinct)).toBe(attempted.size * ROWS_PER_BATCH);
      expect(Number(row!.batches)).toBe(attempted.size);
    } finally {
      await storage.close();
    }
  });
});
