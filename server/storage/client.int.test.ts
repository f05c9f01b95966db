import fs from 'node:fs';
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
    await storage.releaseFreedMemory();
    const before = anonMiB();
    await storage.command(sql`INSERT INTO wide SELECT number, repeat('x', 100) FROM numbers(3000000)`);
    const held = anonMiB();
    expect(held - before).toBeGreaterThan(150); // freed, but still resident
    await storage.releaseFreedMemory();
    expect(anonMiB() - before).toBeLessThan(60);
  });
});
