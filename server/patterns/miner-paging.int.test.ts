import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../../test/helpers/runtime.ts';
import { sql } from '../storage/sql.ts';
import { PatternMiner } from './miner.ts';

// The miner pages through a burst by key (environment, service, host,
// millisecond), four lines a pass here: keys that straddle a pass's end and a
// key with more lines than a pass must each be mined once, whole.
let rt: TestRuntime;
const clock = () => Date.now();
const MINUTE = 60_000;

beforeAll(async () => {
  rt = await openTestRuntime({ yaml: 'agent: { enabled: false }\nrules: []\npatterns: { enabled: false }\n', now: clock });
}, 60_000);
afterAll(async () => rt?.close());

/** Log lines of production through the ingest door, loaded before it returns. */
async function ingest(lines: { timestamp: number; host: string; service: string; message: string }[]) {
  const body = lines.map((l) => JSON.stringify({ ...l, environment: 'production', level: 'info' })).join('\n');
  const res = await rt.app.inject({ method: 'POST', url: '/api/v1/ingest/logs', headers: { ...rt.auth, 'content-type': 'application/x-ndjson' }, payload: body });
  expect(res.statusCode, res.body).toBe(200);
  await rt.writer.flush();
}

const countsByMinute = async (service: string) =>
  (await rt.storage.query<{ time: string; lines: number }>(sql`SELECT time, toUInt32(sum(count)) AS lines FROM log_pattern_counts WHERE environment = 'production' AND service = ${service} GROUP BY time ORDER BY time`)).map((r) => r.lines);

describe('the pattern miner paging through a burst', () => {
  it('mines every line exactly once when keys run past a pass and one key alone holds more than a pass', async () => {
    const at = Math.floor(Date.now() / MINUTE) * MINUTE - 60 * MINUTE;
    // Lines per key on one host and service: 3, 1, 6 (more than a pass of 4), 2, 4, 1, each key in a minute of its own
    // (so a key mined twice and another skipped cannot cancel out), and 3 more on another host in the first minute.
    const perKey = [3, 1, 6, 2, 4, 1];
    const lines = perKey.flatMap((n, k) => Array.from({ length: n }, (_, i) => ({ timestamp: at + k * MINUTE + k, host: 'ap-1', service: 'batch', message: `job ${k}-${i} finished in ${10 + i}ms` })));
    lines.push(...Array.from({ length: 3 }, (_, i) => ({ timestamp: at, host: 'ap-2', service: 'batch', message: `job x-${i} finished in ${i}ms` })));
    await ingest(lines);

    const miner = PatternMiner.open(rt.storage, rt.dataDir, { settleMs: 0, batchLines: 4, intervalMs: 1000, now: clock });
    expect(await miner.catchUp()).toBe(lines.length);
    expect(await miner.catchUp()).toBe(0);
    expect(await countsByMinute('batch')).toEqual([3 + 3, 1, 6, 2, 4, 1]);
  });

  it('does not close its window past a load still running (its rows are stamped while it runs, seen when it ends)', async () => {
    const at = Date.now() - 30 * MINUTE;
    const file = path.join(rt.dataDir, 'slow-segment.ndjson');
    const total = 200_000;
    fs.writeFileSync(file, `${Array.from({ length: total }, (_, i) => JSON.stringify({ timestamp: at + i, environment: 'production', host: 'ap-1', service: 'slow', level: 'info', message: `item ${i} done` })).join('\n')}\n`);
    // A miner that wants no settling at all passes while the load runs. Its window must end before the
    // load began: past it, a load slower than the settle would have its rows stamped inside a window
    // that was read (and closed) before they were seen.
    const miner = PatternMiner.open(rt.storage, path.join(rt.dataDir, 'second-miner'), { settleMs: 0, batchLines: 20_000, intervalMs: 1000, now: clock });
    const load = rt.storage.loadSegment('logs', file, 'slow-segment');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const since = rt.storage.loadInFlightSince();
    expect(since).toBeDefined();
    await miner.catchUp();
    expect(rt.storage.loadInFlightSince()).toBe(since); // the pass ran while the load did
    expect(Date.now() - miner.lagMs()).toBeLessThan(since!); // where it has read up to
    await load;
    expect(rt.storage.loadInFlightSince()).toBeUndefined();
    await miner.catchUp();
    expect((await countsByMinute('slow')).reduce((a, b) => a + b, 0)).toBe(total);
  });

  it('counts a pass once when the server stopped between its counts and the save of its state', async () => {
    const at = Math.floor(Date.now() / MINUTE) * MINUTE - 20 * MINUTE; // the 5 lines in one minute
    await ingest(Array.from({ length: 5 }, (_, i) => ({ timestamp: at + i, host: 'ap-1', service: 'crash', message: `sent ${i} mails` })));
    // The first miner stores its counts, then fails before its state is saved (as a process killed there would).
    const dir = path.join(rt.dataDir, 'crash-miner');
    const failing = Object.create(rt.storage) as typeof rt.storage;
    failing.insertRows = async (table, rows, token) => {
      await rt.storage.insertRows(table, rows, token);
      if (table === 'log_pattern_counts') throw new Error('killed after the counts');
    };
    const first = PatternMiner.open(failing, dir, { settleMs: 0, batchLines: 20_000, intervalMs: 1000, now: clock });
    await expect(first.catchUp()).rejects.toThrow('killed after the counts');
    // Later (the engine's clock has moved on, so a window opened now would end elsewhere) the miner starts again from its file.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const again = PatternMiner.open(rt.storage, dir, { settleMs: 0, batchLines: 20_000, intervalMs: 1000, now: clock });
    await again.catchUp();
    expect(await countsByMinute('crash')).toEqual([5]);
  });
});
