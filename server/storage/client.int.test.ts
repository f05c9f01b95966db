import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from './client.ts';
import { sql } from './sql.ts';
import { tempDir } from '../../test/helpers/runtime.ts';

// The storage door's reading and housekeeping calls on the real engine.

let storage: Storage | undefined;
afterEach(async () => {
  await storage?.close();
  storage = undefined;
});

const anonMiB = () => Number(/RssAnon:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;

describe('storage', () => {
  it('eachRow hands the rows over one by one, in the query order, and counts them', async () => {
    storage = await openStorage({ dataDir: tempDir(), log: () => undefined });
    const seen: { n: number; s: string }[] = [];
    const rows = await storage.eachRow<{ n: number; s: string }>(sql`SELECT number AS n, concat('line\n', toString(number)) AS s FROM numbers(5) ORDER BY n DESC`, (row) => seen.push(row));
    expect(rows).toBe(5);
    expect(seen).toEqual([4, 3, 2, 1, 0].map((n) => ({ n, s: `line\n${n}` })));
    expect(await storage.eachRow(sql`SELECT 1 FROM numbers(3) WHERE number > 5`, () => expect.unreachable())).toBe(0);
  });

  it('releaseFreedMemory gives the memory of a finished insert back at once (the engine would keep it for seconds)', async () => {
    storage = await openStorage({ dataDir: tempDir(), log: () => undefined });
    await storage.command(sql`CREATE TABLE wide (a UInt64, s String) ENGINE = MergeTree ORDER BY a`);
    // The insert writes 3 parts; a merge of them starting before the purge would hold memory of its own.
    await storage.command(sql`SYSTEM STOP MERGES wide`);
    await storage.releaseFreedMemory();
    const before = anonMiB();
    await storage.command(sql`INSERT INTO wide SELECT number, repeat('x', 100) FROM numbers(3000000)`);
    const held = anonMiB();
    expect(held - before).toBeGreaterThan(150); // freed, but still resident
    await storage.releaseFreedMemory();
    expect(anonMiB() - before).toBeLessThan(60);
  });

  it('answers a read while a segment loads (loads have a connection of their own), and the loaded rows are then read', async () => {
    const dataDir = tempDir();
    storage = await openStorage({ dataDir, log: () => undefined });
    // A quote and a backslash in the file's path: the load names it as a literal, not a parameter.
    const dir = path.join(dataDir, "it's\\here");
    fs.mkdirSync(dir);
    const file = path.join(dir, 'segment.ndjson');
    const start = Date.now() - 60_000;
    const lines = Array.from({ length: 300_000 }, (_, i) => JSON.stringify({ timestamp: start + i, environment: 'production', host: `h${i % 7}`, service: 'api', level: 'info', message: `line ${i}` }));
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    // A first small load, so the large one's INSERT starts at once (the first asks the table's columns on the main connection).
    const small = path.join(dir, 'small.ndjson');
    fs.writeFileSync(small, `${lines[0]}\n`);
    await storage.loadSegment('logs', small, 'segment-0');
    const order: string[] = [];
    const load = storage.loadSegment('logs', file, 'segment-1').then(() => order.push('load'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [during] = await storage.query<{ n: number }>(sql`SELECT count() AS n FROM logs`);
    order.push('read');
    await load;
    expect(order).toEqual(['read', 'load']);
    expect(during!.n).toBe(1);
    const [after] = await storage.query<{ n: number }>(sql`SELECT count() AS n FROM logs`);
    expect(after!.n).toBe(300_001);
    // Each connection keeps its own session settings: the load's deduplication token and read method stay on the loader's.
    const [session] = await storage.query<{ token: string; method: string }>(sql`SELECT getSetting('insert_deduplication_token') AS token, toString(getSetting('storage_file_read_method')) AS method`);
    expect(session!.token).not.toBe('segment-1');
    expect(session!.method).not.toBe('pread');
  });
});
