import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../../test/helpers/runtime.ts';
import { sql } from '../storage/sql.ts';
import { PatternMiner } from './miner.ts';

// The miner pages through a burst by key (environment, service, host,
// millisecond), four lines a pass here: keys that straddle a pass's end and a
// key with more lines than a pass must each be mined once, whole.
let rt: TestRuntime;
const clock = () => Date.now();

beforeAll(async () => {
  rt = await openTestRuntime({ yaml: 'agent: { enabled: false }\nrules: []\npatterns: { enabled: false }\n', now: clock });
}, 60_000);
afterAll(async () => rt?.close());

describe('the pattern miner paging through a burst', () => {
  it('mines every line exactly once when keys run past a pass and one key alone holds more than a pass', async () => {
    const at = Date.now() - 600_000;
    // Lines per millisecond on one host and service: 3, 1, 6 (more than a pass of 4), 2, 4, 1, and 3 on another host.
    const perMillisecond = [3, 1, 6, 2, 4, 1];
    const lines = perMillisecond.flatMap((n, ms) => Array.from({ length: n }, (_, i) => ({ timestamp: at + ms, host: 'ap-1', message: `job ${ms}-${i} finished in ${10 + i}ms` })));
    lines.push(...Array.from({ length: 3 }, (_, i) => ({ timestamp: at, host: 'ap-2', message: `job x-${i} finished in ${i}ms` })));
    const body = lines.map((l) => JSON.stringify({ ...l, environment: 'production', service: 'batch', level: 'info' })).join('\n');
    const res = await rt.app.inject({ method: 'POST', url: '/api/v1/ingest/logs', headers: { ...rt.auth, 'content-type': 'application/x-ndjson' }, payload: body });
    expect(res.statusCode, res.body).toBe(200);
    await rt.writer.flush();

    const miner = PatternMiner.open(rt.storage, rt.dataDir, { settleMs: 0, batchLines: 4, intervalMs: 1000, now: clock });
    expect(await miner.catchUp()).toBe(lines.length);
    expect(await miner.catchUp()).toBe(0);
    const [counted] = await rt.storage.query<{ lines: string }>(sql`SELECT sum(count) AS lines FROM log_pattern_counts WHERE environment = 'production' AND service = 'batch'`);
    expect(Number(counted!.lines)).toBe(lines.length);
  });
});
