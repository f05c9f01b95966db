// k6 upload through the door (issue 17): a 1,000,000-point `k6 run --out
// json` file streamed to POST /api/v1/loadtests of a real server process,
// three times. Prints points/s (until the server's 201 with the verdict) and
// the server's peak RSS growth over its RSS before the upload, with RssAnon
// and RssFile. Targets: ≥ 300,000 points/s, growth ≤ 64 MiB.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { syntheticRun } from '../server/releases/k6/json-lines.fixture.ts';
import { startServerProcess } from '../test/helpers/server-process.ts';
import { percentile, rssParts, sampleRss } from './stats.ts';

const ITERATIONS = Number(process.env.BENCH_K6_ITERATIONS ?? 166_400);
const ROUNDS = 3;

function writeRun(file: string, run: ReturnType<typeof syntheticRun>): number {
  const fd = fs.openSync(file, 'w');
  let batch: string[] = [];
  const flush = () => {
    fs.writeSync(fd, `${batch.join('\n')}\n`);
    batch = [];
  };
  for (const line of run.lines()) {
    batch.push(line);
    if (batch.length === 10_000) flush();
  }
  if (batch.length) flush();
  fs.closeSync(fd);
  return fs.statSync(file).size;
}

function upload(url: string, key: string, file: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/api/v1/loadtests?environment=production&name=bench.json`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream', 'content-length': fs.statSync(file).size } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    fs.createReadStream(file).pipe(req);
  });
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mimamori-bench-k6-http-'));
  const file = path.join(dir, 'run.json');
  const run = syntheticRun(ITERATIONS);
  const bytes = writeRun(file, run);
  const server = await startServerProcess({ MIMAMORI_DATA: path.join(dir, 'data') });
  try {
    const pid = server.child.pid!;
    const rates: number[] = [];
    const growths: number[] = [];
    let peak = { rss: 0, anon: 0, file: 0 };
    const idle = rssParts(pid);
    for (let round = 0; round < ROUNDS; round++) {
      const before = rssParts(pid);
      const sampler = sampleRss(pid, 20);
      const started = performance.now();
      const answer = await upload(server.url, server.adminKey, file);
      const seconds = (performance.now() - started) / 1000;
      const seen = sampler.stop();
      if (answer.status !== 201) throw new Error(`upload answered ${answer.status}: ${answer.body.slice(0, 300)}`);
      rates.push(Math.round(run.points / seconds));
      growths.push(Math.round((seen.rss - before.rss) * 10) / 10);
      if (seen.rss > peak.rss) peak = seen;
    }
    console.log(JSON.stringify({
      bench: 'k6-upload-http',
      points: run.points,
      mib: Math.round((bytes / 1048576) * 10) / 10,
      points_per_s: percentile(rates, 50),
      points_per_s_runs: rates,
      // The first upload grows the heap the later ones reuse: the peak over idle is the figure that counts.
      rss_growth_over_idle_mib: Math.round((peak.rss - idle.rss) * 10) / 10,
      rss_growth_mib_runs: growths,
      idle_rss_mib: Math.round(idle.rss),
      peak: { rss_mib: Math.round(peak.rss), anon_mib: Math.round(peak.anon), file_mib: Math.round(peak.file) },
    }));
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
