import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStorage, type Storage } from './client.ts';
import { BatchedWriter, type WriterEvents } from './writer.ts';
import { DATA_ERROR_CODES } from './errors.ts';
import { listSetAside } from './set-aside.ts';
import { WriteAheadLog } from '../../lib/wal.ts';
import { raw, sql } from './sql.ts';
import { tempDir } from '../../test/helpers/runtime.ts';

// The writer on the real engine, fed bytes directly (behind the ingest
// judge's back), so each way the engine can refuse data is exercised.

const now = Date.now();
const log = (message: string) => JSON.stringify({ timestamp: now, environment: 'production', service: 'w', message });
const probe = (extra: string) => `{"timestamp":${now},"environment":"production","target":"t"${extra},"total_ms":1}`;

/** A line the engine refuses with each data error code (the codes writer.ts sets aside at once). */
const REFUSED: Record<number, { table: 'logs' | 'probes'; line: string }> = {
  6: { table: 'logs', line: '{"timestamp":1796026002361.0,"environment":"production","message":"x"}' },
  25: { table: 'logs', line: '{"timestamp":1,"environment":"production","message":"a \\ud800\\u0041 b"}' },
  26: { table: 'logs', line: '{"timestamp":1,"environment":"production","message":"no closing quote' },
  27: { table: 'logs', line: '\u00a0' },
  41: { table: 'logs', line: '{"timestamp":"2026-11-30t00:00:00z","environment":"production","message":"x"}' },
  72: { table: 'probes', line: probe(',"ok":true,"status":-1') },
  117: { table: 'probes', line: probe(',"ok":true,"ok":false') },
  467: { table: 'probes', line: probe(',"ok":{"x":[1]}') },
};

const opened: { storage: Storage; writer?: BatchedWriter }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) {
    await o.writer?.close().catch(() => undefined);
    await o.storage.close();
  }
});

function recorder() {
  const events = { loaded: 0, retries: [] as string[], setAside: [] as { rows: number; token: string; reason: string }[] };
  const handlers: WriterEvents = {
    loaded: () => void events.loaded++,
    retrying: (_t, error) => void events.retries.push(error.message),
    setAside: (_t, info) => void events.setAside.push(info),
  };
  return { events, handlers };
}

async function open(dataDir: string, wrap?: (s: Storage) => Storage, flushRows = 1e9) {
  const storage = await openStorage({ dataDir, log: () => undefined });
  const { events, handlers } = recorder();
  const writer = await BatchedWriter.open(wrap ? wrap(storage) : storage, dataDir, { flushIntervalMs: 60_000, flushRows }, handlers);
  opened.push({ storage, writer });
  return { storage, writer, events };
}

const count = async (storage: Storage, table: string) => (await storage.query<{ n: number }>(sql`SELECT count() AS n FROM ${raw(table)}`))[0]!.n;

describe('writer: a refused request never takes other requests with it', () => {
  it.each(Object.entries(REFUSED))('code %s: only the refused request is set aside, named by its token; the rest is stored', async (code, { table, line }) => {
    const dataDir = tempDir();
    const { storage, writer, events } = await open(dataDir);
    const good = (i: number) => (table === 'logs' ? log(`good ${i}`) : probe(`,"ok":true`));
    await writer.write(table, Buffer.from(`${good(1)}\n${good(2)}\n`), 2, 'k1', { token: 'agent-a' });
    await writer.write(table, Buffer.from(`${line}\n`), 1, 'k2', { token: 'careless-client' });
    await writer.write(table, Buffer.from(`${good(3)}\n`), 1, '', { token: 'agent-b' });
    await writer.flush();
    expect(await count(storage, table)).toBe(3);
    expect(events.setAside).toHaveLength(1);
    expect(events.setAside[0]).toMatchObject({ rows: 1, token: 'careless-client' });
    expect(events.setAside[0]!.reason).toContain(`(${code})`);
    expect(events.retries).toEqual([]); // a data error is not retried
    const [aside] = await listSetAside(dataDir);
    expect(aside).toMatchObject({ kind: table, token: 'careless-client', idempotency_key: 'k2', code: Number(code), rows: 1 });
    expect(fs.readFileSync(aside!.file, 'utf8')).toBe(`${line}\n`);
    expect(fs.readdirSync(path.join(dataDir, 'wal', table)).filter((f) => !fs.statSync(path.join(dataDir, 'wal', table, f)).isDirectory())).toEqual([]);
  });

  it('covers every data error code it names', () => {
    expect(Object.keys(REFUSED).map(Number).sort((a, b) => a - b)).toEqual([...DATA_ERROR_CODES.keys()].sort((a, b) => a - b));
  });

  it('retries a database that is away, and stores once when it is back', async () => {
    let away = 2;
    const { storage, writer, events } = await open(tempDir(), (s) => ({
      ...s,
      loadSegment: async (...args) => {
        if (away-- > 0) throw Object.assign(new Error('Memory limit exceeded'), { code: 241 });
        return s.loadSegment(...args);
      },
    }));
    await writer.write('logs', Buffer.from(`${log('a')}\n${log('b')}\n`), 2, '');
    await expect(writer.flush()).rejects.toThrow(/could not be loaded yet/);
    expect(writer.lag('logs').oldestMs).toBeGreaterThanOrEqual(0);
    await expect(writer.flush()).rejects.toThrow();
    await writer.flush();
    expect(events.retries).toHaveLength(2);
    expect(events.setAside).toEqual([]);
    expect(await count(storage, 'logs')).toBe(2);
    expect(writer.lag('logs')).toEqual({ oldestMs: 0, stalledMs: 0 });
  });

  it('an unknown error code is retried, then the segment is loaded request by request; a refusal shared by every request keeps them waiting', async () => {
    const dataDir = tempDir();
    let refuse = (file: string) => file.endsWith('.ndjson'); // the whole segment, never its parts
    const { storage, writer, events } = await open(dataDir, (s) => ({
      ...s,
      loadSegment: async (table, file, token) => {
        if (refuse(file)) throw Object.assign(new Error('something new'), { code: 9999 });
        return s.loadSegment(table, file, token);
      },
    }));
    await writer.write('logs', Buffer.from(`${log('a')}\n`), 1, '', { token: 'x' });
    await writer.write('logs', Buffer.from(`${log('b')}\n`), 1, '', { token: 'y' });
    for (let i = 0; i < 2; i++) await expect(writer.flush()).rejects.toThrow();
    await writer.flush(); // third attempt: split, each request loads alone
    expect(events.retries).toHaveLength(2);
    expect(await count(storage, 'logs')).toBe(2);

    // Now the database refuses everything with that code: nothing is set aside, it waits.
    refuse = () => true;
    await writer.write('logs', Buffer.from(`${log('c')}\n`), 1, '', { token: 'x' });
    for (let i = 0; i < 4; i++) await expect(writer.flush()).rejects.toThrow();
    expect(events.setAside).toEqual([]);
    expect(writer.lag('logs').oldestMs).toBeGreaterThanOrEqual(0);
    refuse = () => false;
    await writer.flush();
    expect(await count(storage, 'logs')).toBe(3);
  });

  it('a segment split before a crash is loaded request by request after the restart, each row once', async () => {
    const dataDir = tempDir();
    const storage = await openStorage({ dataDir, log: () => undefined });
    const { wal } = await WriteAheadLog.open(path.join(dataDir, 'wal', 'logs'));
    await wal.append(Buffer.from(`${log('a')}\n${log('b')}\n`), 2, '', { token: 'x' });
    await wal.append(Buffer.from(`${REFUSED[25]!.line}\n`), 1, '', { token: 'y' });
    const segment = (await wal.roll())!;
    // As if the process died right after marking the split and loading the first request apart:
    fs.writeFileSync(`${segment.dataPath}.split`, 'test');
    const part = `${segment.dataPath}.part`;
    fs.writeFileSync(part, `${log('a')}\n${log('b')}\n`);
    await storage.loadSegment('logs', part, `logs-${segment.id}-r0`);
    fs.rmSync(part);
    await storage.close();

    const again = await open(dataDir);
    expect(await count(again.storage, 'logs')).toBe(2);
    expect(again.events.setAside).toHaveLength(1);
  });
});

describe('writer: progress and stalls', () => {
  it('reports how long rows have waited and how long the loader has been stuck, for a table the engine cannot write', async () => {
    const dataDir = tempDir();
    const { storage, writer } = await open(dataDir);
    await storage.command(sql`DETACH TABLE logs`); // the table itself is gone: no data error, the engine is stuck
    await writer.write('logs', Buffer.from(`${log('waiting')}\n`), 1, '', { token: 'x' });
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 4; i++) await expect(writer.flush()).rejects.toThrow();
    const lag = writer.lag('logs');
    expect(lag.oldestMs).toBeGreaterThanOrEqual(300);
    expect(lag.stalledMs).toBeGreaterThanOrEqual(300);
    expect(writer.lag('metrics')).toEqual({ oldestMs: 0, stalledMs: 0 });
    expect(await listSetAside(dataDir)).toEqual([]); // nothing is thrown away for the database's own trouble
    await storage.command(sql`ATTACH TABLE logs`);
    await writer.flush();
    expect(await count(storage, 'logs')).toBe(1);
    expect(writer.lag('logs')).toEqual({ oldestMs: 0, stalledMs: 0 });
  });
});

describe('writer: batches and memory', () => {
  it('while a load runs, a full segment is closed at the flush size: a burst is loaded in segments of that size, not one as large as the load was slow', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const sizes: number[] = [];
    const lines = (n: number, from: number) => Buffer.from(Array.from({ length: n }, (_, i) => `${log(`line ${from + i}`)}\n`).join(''));
    const { storage, writer } = await open(
      tempDir(),
      (s) => ({
        ...s,
        loadSegment: async (table, file, token) => {
          sizes.push(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length);
          if (sizes.length === 1) await held; // the first load is slow
          return s.loadSegment(table, file, token);
        },
      }),
      4,
    );
    await writer.write('logs', lines(4, 0), 4, '');
    await vi.waitFor(() => expect(sizes).toHaveLength(1));
    for (let i = 0; i < 10; i++) await writer.write('logs', lines(2, 4 + 2 * i), 2, '');
    release();
    await writer.flush();
    expect(sizes[0]).toBe(4);
    expect(sizes.length).toBeGreaterThanOrEqual(4); // 20 lines behind the slow load, not one segment of 20
    for (const size of sizes) expect(size).toBeLessThanOrEqual(6); // the flush size, or one request past it
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(24);
    expect(await count(storage, 'logs')).toBe(24);
    expect(await storage.query<{ n: number }>(sql`SELECT uniqExact(message) AS n FROM logs`)).toEqual([{ n: 24 }]);
  });

  it("gives the engine's freed memory back after a large load, not after a trickle's", async () => {
    let releases = 0;
    const { storage, writer } = await open(tempDir(), (s) => ({ ...s, releaseFreedMemory: async () => void releases++ }));
    await writer.write('logs', Buffer.from(`${log('small')}\n`), 1, '');
    await writer.flush();
    expect(releases).toBe(0);
    const big = log('x'.repeat(1000));
    await writer.write('logs', Buffer.from(`${big}\n`.repeat(5000)), 5000, ''); // ~5 MiB
    await writer.flush();
    await vi.waitFor(() => expect(releases).toBe(1));
    expect(await count(storage, 'logs')).toBe(5001);
  });
});
