import { describe, expect, it } from 'vitest';
import { exactDurationQuantile, syntheticRun, syntheticStream } from './json-lines.fixture.ts';
import { readK6Result } from './read.ts';
import { RELATIVE_ERROR } from './sketch.ts';

const MIB = 1024 * 1024;

describe('a million-point --out json run', () => {
  it('is read with bounded memory and gives the known aggregates', { timeout: 120_000 }, async () => {
    // 166,400 iterations × 6 points + vus/vus_max every second ≈ 1,000,066 points, some 190 MB of lines made as they are read.
    const run = syntheticRun(166_400);
    expect(run.points).toBeGreaterThanOrEqual(1_000_000);
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    let bytes = 0;
    const body = syntheticStream(run, 64 * 1024, (size) => {
      bytes += size;
      peak = Math.max(peak, process.memoryUsage().rss);
    });
    const result = await readK6Result(body, { maxBytes: 1024 * MIB, idleTimeoutMs: 10_000 });
    peak = Math.max(peak, process.memoryUsage().rss);

    expect(bytes).toBeGreaterThan(150 * MIB); // the run is far larger than the memory it may take
    console.info(`k6 --out json, ${run.points} points, ${(bytes / MIB).toFixed(0)} MiB: RSS grew ${((peak - baseline) / MIB).toFixed(1)} MiB`);
    expect(peak - baseline, `RSS grew ${((peak - baseline) / MIB).toFixed(1)} MiB`).toBeLessThan(64 * MIB);

    expect(result).toMatchObject({ format: 'json-lines', ...run.expected, requestRate: expect.closeTo(run.expected.requestRate!, 9) as number });
    const d = result.durationMs!;
    expect(d.min).toBe(run.durationAtRank(0));
    expect(d.max).toBe(run.durationAtRank(run.iterations - 1));
    let sum = 0;
    for (let k = 0; k < run.iterations; k++) sum += run.durationAtRank(k);
    expect(d.avg).toBeCloseTo(sum / run.iterations, 6);
    for (const [q, estimate] of [[0.5, d.med], [0.9, d.p90], [0.95, d.p95], [0.99, d.p99]] as const) {
      const exact = exactDurationQuantile(run, q);
      expect(Math.abs(estimate! - exact) / exact, `p(${q * 100}) ${estimate} vs exact ${exact}`).toBeLessThanOrEqual(RELATIVE_ERROR);
    }
  });
});
