import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WriteAheadLog } from './wal.ts';
import os from 'node:os';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mimamori-wal-'));

const line = (i: number) => `{"n":${i}}\n`;

describe('write-ahead log', () => {
  it('appends concurrent requests contiguously and rolls them into one segment', async () => {
    const { wal, leftovers } = await WriteAheadLog.open(tempDir());
    expect(leftovers).toEqual([]);
    await Promise.all([1, 2, 3].map((i) => wal.append(Buffer.from(line(i)), 1, `k${i}`)));
    expect(wal.pendingRows).toBe(3);
    const segment = (await wal.roll())!;
    expect(segment.rows).toBe(3);
    expect(fs.readFileSync(segment.dataPath, 'utf8')).toBe(line(1) + line(2) + line(3));
    expect(segment.commits.map((c) => c.key)).toEqual(['k1', 'k2', 'k3']);
    expect(wal.pendingRows).toBe(0);
    await wal.append(Buffer.from(line(4)), 1, '');
    const next = (await wal.roll())!;
    expect(next.id).not.toBe(segment.id);
  });

  it('replays what a dead process left, cut back to the last committed request', async () => {
    const dir = tempDir();
    const { wal } = await WriteAheadLog.open(dir);
    await wal.append(Buffer.from(line(1) + line(2)), 2, 'a');
    await wal.append(Buffer.from(line(3)), 1, 'b');
    // Simulate a crash in the middle of a third request: data written, no commit record.
    const [name] = fs.readdirSync(dir).filter((f) => f.endsWith('.ndjson'));
    fs.appendFileSync(path.join(dir, name!), '{"n":4}\n{"n":');
    const { leftovers } = await WriteAheadLog.open(dir);
    expect(leftovers).toHaveLength(1);
    expect(leftovers[0]!.rows).toBe(3);
    expect(fs.readFileSync(leftovers[0]!.dataPath, 'utf8')).toBe(line(1) + line(2) + line(3));
  });

  it('ignores a commit record whose data never reached the disk, and a torn record', async () => {
    const dir = tempDir();
    const { wal } = await WriteAheadLog.open(dir);
    await wal.append(Buffer.from(line(1)), 1, 'a');
    const [name] = fs.readdirSync(dir).filter((f) => f.endsWith('.commits'));
    fs.appendFileSync(path.join(dir, name!), `${JSON.stringify({ key: 'b', rows: 1, start: 8, end: 16, at: 0 })}\n{"key":"c","ro`);
    const { leftovers } = await WriteAheadLog.open(dir);
    expect(leftovers[0]!.rows).toBe(1);
    expect(leftovers[0]!.commits.map((c) => c.key)).toEqual(['a']);
  });

  it('drops empty segments, and a released open segment is recovered by the next open', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, '00000000000001-x-000000.ndjson'), '');
    const { wal, leftovers } = await WriteAheadLog.open(dir);
    expect(leftovers).toEqual([]);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.ndjson'))).toEqual([]);
    await wal.append(Buffer.from(line(1)), 1, 'a');
    expect(wal.oldestAt).toBeGreaterThan(0);
    await wal.release();
    const again = await WriteAheadLog.open(dir);
    expect(again.leftovers.map((s) => s.commits.map((c) => c.key))).toEqual([['a']]);
  });
});
