// k6 result upload benchmark: a 1,000,000-point `k6 run --out json` file
// (BENCH_K6_ITERATIONS × 6 points + vus/vus_max each second, written under
// /tmp once), read with readK6Result from a file stream three times, then
// once gzipped. Prints points/s and the peak RSS growth over the RSS before
// the reads. Targets: ≥ 300,000 points/s, ≤ 64 MiB growth.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { syntheticRun } from '../server/releases/k6/json-lines.fixture.ts';
import { readK6Result } from '../server/releases/k6/read.ts';

const ITERATIONS = Number(process.env.BENCH_K6_ITERATIONS ?? 166_400);
const ROUNDS = 3;
const MIB = 1024 * 1024;

function writeRun(file: string, run: ReturnType<typeof syntheticRun>): { bytes: number; lines: number } {
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  let lines = 0;
  let batch: string[] = [];
  const flush = () => {
    const text = `${batch.join('\n')}\n`;
    fs.writeSync(fd, text);
    bytes += Buffer.byteLength(text);
    batch = [];
  };
  for (const line of run.lines()) {
    batch.push(line);
    lines++;
    if (batch.length === 10_000) flush();
  }
  if (batch.length > 0) flush();
  fs.closeSync(fd);
  return { bytes, lines };
}

/** One read of the file: seconds taken and the peak RSS seen while reading (sampled between chunks). */
async function timedRead(file: string, expectedRequests: number): Promise<{ seconds: number; peakRss: number }> {
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 5);
  const started = performance.now();
  const run = await readK6Result(fs.createReadStream(file, { highWaterMark: 64 * 1024 }), { maxBytes: 4096 * MIB, idleTimeoutMs: 30_000 });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  if (run.requests !== expectedRequests) throw new Error(`read ${run.requests} requests, expected ${expectedRequests}`);
  return { seconds, peakRss };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mimamori-bench-k6-'));
  const file = path.join(dir, 'run.json');
  const run = syntheticRun(ITERATIONS);
  process.stderr.write(`writing ${run.points} points to ${file}…\n`);
  const { bytes, lines } = writeRun(file, run);
  await pipeline(fs.createReadStream(file), zlib.createGzip(), fs.createWriteStream(`${file}.gz`));
  const gzBytes = fs.statSync(`${file}.gz`).size;

  const baseline = process.memoryUsage.rss();
  const rates: number[] = [];
  let growth = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const { seconds, peakRss } = await timedRead(file, run.iterations);
    rates.push(Math.round(run.points / seconds));
    growth = Math.max(growth, peakRss - baseline);
  }
  const gz = await timedRead(`${file}.gz`, run.iterations);
  growth = Math.max(growth, gz.peakRss - baseline);
  fs.rmSync(dir, { recursive: true, force: true });

  const sorted = [...rates].sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      bench: 'k6-upload',
      points: run.points,
      bytes,
      bytes_per_line: Math.round(bytes / lines),
      points_per_s: sorted[Math.floor(ROUNDS / 2)],
      points_per_s_runs: rates,
      points_per_s_gzip: Math.round(run.points / gz.seconds),
      gzip_bytes: gzBytes,
      rss_growth_mib: Math.round((growth / MIB) * 10) / 10,
    }),
  );
}

await main();
