// Audit trail benchmark (issue 13): what the chain adds to each change of
// state, and how fast `audit verify` walks a long trail. The append is what a
// mutating request waits for in its onSend hook: seal (SHA-256 over the one
// before), the write-ahead log's fsync, the head file. Measured in process
// against the real engine at a steady 200 changes/s, then as a burst; then
// the table is filled to 1,000,000 chained entries and verified.
import fs from 'node:fs';
import { openStorage } from '../server/storage/client.ts';
import { sql } from '../server/storage/sql.ts';
import { AuditTrail, verifyChain, type AuditFields } from '../server/audit/index.ts';
import { seal } from '../server/audit/chain.ts';
import { tempDir } from '../test/helpers/runtime.ts';
import { percentile } from './stats.ts';

const RATE = Number(process.env.BENCH_AUDIT_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_AUDIT_SECONDS ?? 15);
const ENTRIES = Number(process.env.BENCH_AUDIT_ENTRIES ?? 1_000_000);
const BURST = Number(process.env.BENCH_AUDIT_BURST ?? 20_000);
const FILL_BATCH = 50_000;

const change = (i: number): AuditFields => ({
  at: Date.now(),
  actor: `operator-${i % 7}`,
  role: 'operator',
  via: 'session',
  address: '192.0.2.10',
  action: 'POST /api/v1/tickets/:number/acknowledge',
  object: JSON.stringify({ number: `INC-2026-${String(i % 100_000).padStart(5, '0')}` }),
  result: 'ok',
  status: 200,
  detail: '',
});

async function main() {
  const dataDir = tempDir('mimamori-bench-audit-');
  const storage = await openStorage({ dataDir, log: () => undefined });
  const trail = await AuditTrail.open(storage, dataDir, { flushIntervalMs: 1000 });
  try {
    // Steady load: one change every 1/RATE s, each timed from call to durable.
    const appendMs: number[] = [];
    const pending: Promise<void>[] = [];
    const started = performance.now();
    for (let i = 0; i < RATE * SECONDS; i++) {
      const due = started + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const t = performance.now();
      pending.push(trail.append(change(i)).then(() => void appendMs.push(performance.now() - t)));
    }
    await Promise.all(pending);
    const achieved = appendMs.length / ((performance.now() - started) / 1000);

    // A burst through the same path, many at once (one fsync answers many).
    const burstStarted = performance.now();
    for (let n = 0; n < BURST; n += 1000) await Promise.all(Array.from({ length: 1000 }, (_, i) => trail.append(change(n + i))));
    const burstPerS = BURST / ((performance.now() - burstStarted) / 1000);
    await trail.flush();

    // The rest of the 1,000,000 entries, sealed the same way, go straight into the table (quicker to set up; verify reads the table alike).
    let head = trail.current;
    for (let n = head.seq; n < ENTRIES; n += FILL_BATCH) {
      const rows = [];
      for (let i = n; i < Math.min(ENTRIES, n + FILL_BATCH); i++) {
        const entry = seal(head, change(i));
        head = { seq: entry.seq, hash: entry.hash };
        rows.push(entry);
      }
      await storage.insertRows('audit_log_ingest', rows, `bench-audit-${n}`);
    }
    const [stored] = await storage.query<{ n: number }>(sql`SELECT count() AS n FROM audit_log`);

    const verified = await verifyChain(storage, head);
    if (!verified.ok) throw new Error(`verify failed: ${JSON.stringify(verified.broken)}`);
    const round = (n: number) => Math.round(n * 100) / 100;
    console.log(JSON.stringify({
      bench: 'audit',
      rate_per_s: RATE,
      achieved_per_s: round(achieved),
      appends: appendMs.length,
      append_p50_ms: round(percentile(appendMs, 50)),
      append_p95_ms: round(percentile(appendMs, 95)),
      append_max_ms: round(Math.max(...appendMs)),
      burst_entries: BURST,
      burst_entries_per_s: Math.round(burstPerS),
      stored_entries: Number(stored?.n ?? 0),
      verify_entries: verified.entries,
      verify_s: round(verified.seconds),
      verify_entries_per_s: Math.round(verified.entries / verified.seconds),
    }));
  } finally {
    await trail.close();
    await storage.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
