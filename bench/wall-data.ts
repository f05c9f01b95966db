// Wall-screen benchmark: 1,000 probe targets × 30 days at 1-minute intervals
// (43.2M rows) and 50 hosts of CPU, generated in SQL through the same tables
// and rollup views as ingest; then p50/p95 over loopback HTTP of the whole
// wall document (GET /api/v1/wall) and its size, and the share of answers
// served from the live document (rebuilt at most once a second). BENCH_DAYS
// shortens the seed.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { openRuntime } from '../server/runtime.ts';
import { parseConfigText } from '../server/config/load.ts';
import { liveRoutes } from '../server/live/index.ts';
import { cpuSeries, probeDay, recentProbes } from '../server/live/queries.ts';
import { localMidnight } from '../server/live/wall.ts';
import { sql, ts, typed } from '../server/storage/sql.ts';
import { tempDir } from '../test/helpers/runtime.ts';
import { freePort } from '../test/helpers/server-process.ts';
import { timeRequests, waitForMerges } from './stats.ts';

const TARGETS = 1000;
const HOSTS = 50;
const DAYS = Number(process.env.BENCH_DAYS ?? 30);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const DAY_MS = 86_400_000;
const MIN_MS = 60_000;
// The evaluator would compete for the two cores; this measures the wall alone.
const YAML = 'evaluation_interval: 1h\n';

/** Probes for [from, from + minutes): every target once a minute; 1 in 10 targets is staging. */
function seedProbes(from: number, minutes: number) {
  const n = typed(TARGETS, 'UInt32');
  return sql`
    INSERT INTO probes (timestamp, environment, target, url, ok, status, error, dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms)
    SELECT ${ts(from)} + toIntervalMinute(intDiv(number, ${n})) AS timestamp,
      if(number % 10 = 0, 'staging', 'production'), concat('target-', toString(number % ${n})) AS target, concat('https://', target, '.example.jp/'),
      cityHash64(number, ${typed(from, 'UInt64')}) % 500 != 0 AS ok, if(ok, 200, 503), if(ok, '', 'HTTP 503'), 1, 2, 5,
      80 + cityHash64(number, 1) % 400, if(cityHash64(number, 2) % 1000 = 0, 6000 + cityHash64(number) % 3000, 120 + cityHash64(number, 3) % 900)
    FROM numbers(${typed(TARGETS * minutes, 'UInt64')})`;
}

function seedCpu(from: number, minutes: number) {
  const n = typed(HOSTS, 'UInt32');
  return sql`
    INSERT INTO metrics (timestamp, environment, host, name, labels, value)
    SELECT ${ts(from)} + toIntervalMinute(intDiv(number, ${n})), if(number % 5 = 0, 'staging', 'production'), concat('host-', toString(number % ${n})),
      'cpu_utilisation_percent', map('cpu', 'total'), 20 + (cityHash64(number) % 600) / 10
    FROM numbers(${typed(HOSTS * minutes, 'UInt64')})`;
}

async function main() {
  const dataDir = tempDir('mimamori-bench-wall-');
  const config = parseConfigText(YAML, 'bench');
  const runtime = await openRuntime({ config, dataDir, logger: false });
  if (!runtime.app.hasRoute({ method: 'GET', url: '/api/v1/wall' })) await runtime.app.register(liveRoutes, { storage: runtime.storage, bus: runtime.bus, alerting: runtime.alerting, config });
  const end = Math.floor(Date.now() / MIN_MS) * MIN_MS;
  const start = end - DAYS * DAY_MS;
  const seeded = performance.now();
  for (let day = 0; day < DAYS; day++) {
    await runtime.storage.command(seedProbes(start + day * DAY_MS, 1440));
    await runtime.storage.command(seedCpu(start + day * DAY_MS, 1440));
    process.stderr.write(`\rseeded day ${day + 1}/${DAYS} (${Math.round((performance.now() - seeded) / 1000)} s)`);
  }
  const seedSeconds = (performance.now() - seeded) / 1000;
  const settleSeconds = await waitForMerges(runtime.storage);
  // Top up to the present, so the wall sees live targets rather than stale ones.
  const topUp = Math.floor((Date.now() - end) / MIN_MS) + 1;
  await runtime.storage.command(seedProbes(end, topUp));
  await runtime.storage.command(seedCpu(end, topUp));
  process.stderr.write('\n');

  const port = await freePort();
  await runtime.app.listen({ host: '127.0.0.1', port });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const adminKey = fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim(); // reads need a role (issue 12)
  const get = (path: string) =>
    new Promise<Buffer>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path, agent, headers: { authorization: `Bearer ${adminKey}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${res.statusCode}: ${Buffer.concat(chunks)}`))));
      }).on('error', reject);
    });
  const sample = await get('/api/v1/wall'); // warm-up
  const doc = JSON.parse(sample.toString()) as { targets: unknown[]; hosts: unknown[]; counts: Record<string, number> };
  // Paced like screens and pages asking over several seconds (one request every 25 ms), not in one burst:
  // the live document is rebuilt about once a second meanwhile, and those builds are in the figures.
  const all = await timeRequests(REQUESTS, async () => void (await get('/api/v1/wall')), 25);
  const staging = await timeRequests(Math.min(REQUESTS, 50), async () => void (await get('/api/v1/wall?environment=staging')));
  // Where the time goes: each query alone, median of 50.
  const scope = { now: Date.now() };
  const median = async (call: () => Promise<unknown>) => +(await timeRequests(50, async () => void (await call()))).p50.toFixed(1);
  const queries_p50_ms = {
    recent: await median(() => recentProbes(runtime.storage, scope)),
    day: await median(() => probeDay(runtime.storage, { ...scope, midnight: localMidnight(scope.now, config.timezone) })),
    cpu: await median(() => cpuSeries(runtime.storage, scope)),
  };
  // The share answered from the live document (built < 1 s before) rather than by a build it waited for.
  const metricsText = (await get('/metrics')).toString();
  const served = (source: string) => Number(new RegExp(`^mimamori_wall_requests_total\\{source="${source}"\\} (\\S+)$`, 'm').exec(metricsText)?.[1] ?? 0);
  const liveShare = served('live') / (served('live') + served('built'));
  agent.destroy();
  await runtime.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  const rows = TARGETS * 1440 * DAYS;
  console.log(JSON.stringify({
    bench: 'wall-data', days: DAYS, probe_rows: rows, hosts: HOSTS, seed_rows_per_s: Math.round(rows / seedSeconds), seed_s: +seedSeconds.toFixed(1), merges_settled_s: +settleSeconds.toFixed(1),
    wall_p50_ms: +all.p50.toFixed(1), wall_p95_ms: +all.p95.toFixed(1), wall_max_ms: +all.max.toFixed(1), wall_bytes: sample.length, wall_targets: doc.targets.length, wall_hosts: doc.hosts.length, counts: doc.counts,
    wall_staging_p50_ms: +staging.p50.toFixed(1), wall_staging_p95_ms: +staging.p95.toFixed(1), served_from_live_share: +liveShare.toFixed(3), queries_p50_ms,
  }));
}

await main();
