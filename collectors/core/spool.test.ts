import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Spool } from './spool.ts';
import { tempDir } from '../../test/helpers/runtime.ts';

describe('spool', () => {
  it('keeps records across a reopen until they are acknowledged', async () => {
    const dir = tempDir();
    const first = await Spool.open(dir, { maxBytes: 1e9, batchRecords: 2, warn: () => undefined });
    await first.write('metrics', ['{"a":1}', '{"a":2}', '{"a":3}'], { owner: 'x', state: { n: 3 } });
    await first.release();
    const again = await Spool.open(dir, { maxBytes: 1e9, batchRecords: 2, warn: () => undefined });
    expect(again.checkpoint('x')).toEqual({ n: 3 });
    // Batches never exceed batchRecords (2 here), whatever one write brought.
    const sent: string[] = [];
    for (let batch = await again.next('metrics'); batch; batch = await again.next('metrics')) {
      sent.push(fs.readFileSync(batch.file, 'utf8'));
      await again.acknowledge(batch);
    }
    expect(sent).toEqual(['{"a":1}\n{"a":2}\n', '{"a":3}\n']);
    expect(again.spooledBytes).toBe(0);
  });

  it('stays within its size bound by dropping the oldest records, counted and logged', async () => {
    const warnings: Record<string, unknown>[] = [];
    const spool = await Spool.open(tempDir(), { maxBytes: 10_000, batchRecords: 10, warn: (_m, f) => warnings.push(f) });
    const record = (i: number) => JSON.stringify({ i, pad: 'p'.repeat(80) });
    for (let i = 0; i < 500; i++) await spool.write('logs', [record(i)]);
    expect(spool.spooledBytes).toBeLessThanOrEqual(10_000);
    expect(spool.counters.droppedRecords).toBeGreaterThan(0);
    expect(warnings.reduce((n, w) => n + (w.records as number), 0)).toBe(spool.counters.droppedRecords);
    // What is kept is the newest, in order.
    const kept: number[] = [];
    for (let b = await spool.next('logs'); b; b = await spool.next('logs')) {
      kept.push(...fs.readFileSync(b.file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).i));
      await spool.acknowledge(b);
    }
    expect(kept[kept.length - 1]).toBe(499);
    expect(kept.length + spool.counters.droppedRecords).toBe(500);
  });
});
