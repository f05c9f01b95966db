import { describe, expect, it } from 'vitest';
import { FreshCache } from './fresh-cache.ts';

/** A cache over a map standing for the database, with a hand-moved clock and a log of what was read. */
function setup() {
  let clock = 0;
  const db = new Map<string, string>([['a', 'A1'], ['b', 'B1']]);
  const reads: string[][] = [];
  let gate: Promise<void> | undefined;
  const cache = new FreshCache<string>({
    maxAgeMs: 1000,
    activeMs: 10_000,
    maxEntries: 100,
    now: () => clock,
    loadMany: async (keys) => {
      reads.push(keys);
      const snapshot = new Map(keys.filter((k) => db.has(k)).map((k) => [k, db.get(k)!]));
      await gate;
      return snapshot;
    },
  });
  return { cache, db, reads, tick: (ms: number) => (clock += ms), hold: (p: Promise<void>) => (gate = p) };
}

describe('FreshCache', () => {
  it('never answers from a read older than maxAge: past it, a get waits for the database', async () => {
    const { cache, db, reads, tick } = setup();
    expect(await cache.get('a')).toBe('A1');
    db.set('a', 'A2');
    tick(999);
    expect(await cache.get('a')).toBe('A1');
    tick(1);
    expect(await cache.get('a')).toBe('A2');
    expect(reads).toEqual([['a'], ['a']]);
  });

  it('re-reads the entries in use in one query, so their gets do not wait; idle ones are left to expire', async () => {
    const { cache, db, reads, tick } = setup();
    await cache.get('a');
    await cache.get('b');
    tick(400);
    expect(await cache.refresh()).toBe(0); // not yet half its age
    tick(100);
    db.set('a', 'A2');
    db.delete('b'); // e.g. revoked on another instance
    expect(await cache.refresh()).toBe(2);
    expect(reads.at(-1)).toEqual(['a', 'b']);
    tick(700); // 1.2 s after the first read, 0.7 s after the refresh
    expect(await cache.get('a')).toBe('A2');
    expect(await cache.get('b')).toBeUndefined();
    expect(reads).toHaveLength(3);
    tick(600);
    expect(await cache.refresh()).toBe(1); // 'a' only: 'b' is gone, and a value that is not there is not re-read
    tick(10_001); // unused past activeMs: not refreshed any more
    expect(await cache.refresh()).toBe(0);
  });

  it('does not bring back an entry deleted while a refresh was reading', async () => {
    const { cache, reads, tick, hold } = setup();
    await cache.get('a');
    tick(600);
    let release = () => {};
    hold(new Promise<void>((resolve) => (release = resolve)));
    const refreshing = cache.refresh();
    cache.delete('a'); // ended here meanwhile
    release();
    await refreshing;
    hold(Promise.resolve());
    expect(await cache.get('a')).toBe('A1');
    expect(reads).toHaveLength(3); // the get read the database again: the refresh did not put it back
  });
});
