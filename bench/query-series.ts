// Series benchmark (issue 2): 30 days × 100 probe targets at 1-minute
// intervals (4.32M rows, generated in SQL through the same tables and
// rollup views as ingest), then p50/p95 over loopback HTTP of a 24-hour
// series at a 1-minute step and a 30-day series at a 1-hour step.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { openRuntime } from '../server/runtime.ts';
import { parseConfigText } from '../server/config/load.ts';
import { sql, ts, typed } from '../server/storage/sql.ts';
import { tempDir } from '../test/helpers/runtime.ts';
import { freePort } from '../test/helpers/server-process.ts';
import { timeRequests, waitForMerges } from './stats.ts';

const TARGETS = 100;
const DAYS = 30;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const DAY_MS = 86_400_000;

async function main() {
  const dataDir = tempDir('mimamori-bench-series-');
  const runtime = await openRuntime({ config: parseConfigText('', 'bench'), dataDir, logger: false });
  const end = Math.floor(Date.now() / 60_000) * 60_000;
  const start = end - DAYS * DAY_MS;
  const seeded = performance.now();
  for (let day = 0; day < DAYS; day++) {
    const rows = TARGETS * 1440;
    await runtime.storage.command(sql`
      INSERT INTO probes (timestamp, environment, target, url, ok, status, error, dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms)
      SELECT ${ts(start + day * DAY_MS)} + toIntervalMinute(intDiv(number, ${typed(TARGETS, 'UInt32')})) AS timestamp,
        'production', concat('target-', toString(number % ${typed(TARGETS, 'UInt32')})) AS target, concat('https://', target, '.example.jp/'),
        cityHash64(number, ${typed(day, 'UInt32')}) % 500 != 0 AS ok, if(ok, 200, 503),
        if(ok, '', 'HTTP 503'), 1 + cityHash64(number) % 5, 2 + cityHash64(number) % 10, 5 + cityHash64(number) % 20,
        80 + cityHash64(number, 1) % 400, if(cityHash64(number, 2) % 1000 = 0, 6000 + cityHash64(number) % 3000, 120 + cityHash64(number, 3) % 900)
      FROM numbers(${typed(rows, 'UInt64')})`);
    process.stderr.write(`\rseeded day ${day + 1}/${DAYS}`);
  }
  const seedSeconds = (performance.now() - seeded) / 1000;
  // Measure the steady state a dashboard sees: background merges done.
  const settleSeconds = await waitForMerges(runtime.storage);
  process.stderr.write(`\n`);
  const port = await freePort();
  await runtime.app.listen({ host: '127.0.0.1', port });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const adminKey = fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim(); // reads need a role (issue 12)
  const get = (path: string) =>
    new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path, agent, headers: { authorization: `Bearer ${adminKey}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`${res.statusCode}: ${Buffer.concat(chunks)}`));
          resolve((JSON.parse(Buffer.concat(chunks).toString()) as { points: unknown[] }).points.length);
        });
      }).on('error', reject);
    });

  const measure = async (label: string, spanMs: number, step: number) => {
    let points = 0;
    const t = await timeRequests(REQUESTS, async (i) => {
      points = await get(`/api/v1/series?source=probes&environment=production&target=target-${(i * 37) % TARGETS}&from=${end - spanMs}&to=${end}&step=${step}`);
    });
    return { [`${label}_points`]: points, [`${label}_p50_ms`]: +t.p50.toFixed(1), [`${label}_p95_ms`]: +t.p95.toFixed(1) };
  };
  await get(`/api/v1/series?source=probes&environment=production&target=target-0&from=${end - DAY_MS}&to=${end}&step=60`); // warm-up
  const day = await measure('series_24h_1m', DAY_MS, 60);
  const month = await measure('series_30d_1h', DAYS * DAY_MS, 3600);
  agent.destroy();
  await runtime.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  console.log(JSON.stringify({ bench: 'query-series', rows: TARGETS * 1440 * DAYS, seed_rows_per_s: Math.round((TARGETS * 1440 * DAYS) / seedSeconds), merges_settled_s: +settleSeconds.toFixed(1), ...day, ...month }));
}

await main();
