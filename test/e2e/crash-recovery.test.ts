import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServerProcess, waitForExit } from '../helpers/server-process.ts';
import { tempDir } from '../helpers/runtime.ts';
import { openStorage } from '../../server/storage/client.ts';
import { sql } from '../../server/storage/sql.ts';

const ROWS_PER_BATCH = 500;
const CONCURRENCY = 4;

/** Every third batch holds lines the judge must rewrite; every seventh a duplicate key it must refuse (400, nothing stored). */
const refusedBatch = (n: number) => n % 7 === 5;
function batch(n: number): string {
  const now = Date.now();
  const lines = Array.from({ length: ROWS_PER_BATCH }, (_, i) => JSON.stringify({ timestamp: now, environment: 'production', service: 'crash', message: `b${n}-r${i}` }));
  if (n % 3 === 1) {
    lines[0] = `{"timestamp":${now}.0,"environment":"production","service":"crash","message":"b${n}-r0 \\ud800"}`;
    lines[1] = `${lines[1]}\r`;
    lines[2] = lines[2]!.replace('{"timestamp"', '{ "timestamp"');
  }
  if (refusedBatch(n)) lines[3] = `{"timestamp":${now},"environment":"production","service":"crash","message":"b${n}-r3","message":"dup"}`;
  return lines.join('\n');
}

describe('kill -9 during a stream of acknowledged batches', () => {
  it('keeps every acknowledged row exactly once with odd and refused batches mixed in, and a retried in-flight batch is stored once', async () => {
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
    const refused = new Set<number>();
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
          if (res.status === 400) refused.add(n);
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
    expect([...refused].every(refusedBatch) && [...acked].every((n) => !refusedBatch(n))).toBe(true);
    const unanswered = [...attempted].filter((n) => !acked.has(n) && !refused.has(n));
    for (const n of unanswered) expect((await send(restarted.url, n)).status).toBe(refusedBatch(n) ? 400 : 200);
    const stored = [...attempted].filter((n) => !refusedBatch(n));
    expect(await restarted.stop()).toBe(0);

    const storage = await openStorage({ dataDir, log: () => undefined });
    try {
      const [row] = await storage.query<{ total: string; distinct: string; batches: string }>(
        sql`SELECT count() AS total, uniqExact(message) AS distinct, uniqExact(splitByChar('-', message)[1]) AS batches FROM logs WHERE service = 'crash'`,
      );
      expect(Number(row!.total)).toBe(stored.length * ROWS_PER_BATCH);
      expect(Number(row!.distinct)).toBe(stored.length * ROWS_PER_BATCH);
      expect(Number(row!.batches)).toBe(stored.length);
      const [odd] = await storage.query<{ n: string }>(sql`SELECT count() AS n FROM logs WHERE service = 'crash' AND endsWith(message, ' \uFFFD')`);
      expect(Number(odd!.n)).toBe(stored.filter((n) => n % 3 === 1).length);
    } finally {
      await storage.close();
    }
  });
});
