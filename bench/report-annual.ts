// Annual analysis benchmark (issue 16): 100 probe targets and 50 hosts over
// the 12 months November 2025 – October 2026 (JST), seeded in SQL through
// the tables and rollup views. Probes and CPU every 10 minutes (5.3M and
// 2.6M rows) fill the hourly rollups the analysis reads exactly as 1-minute
// samples would (one row per target or host and hour). Then the analysis over
// HTTP from a separate server process, 3 times per format: p50 / max seconds
// and the server process's peak RSS, sampled every 20 ms during each request.
import { sql, ts, typed } from '../server/storage/sql.ts';
import { openTestRuntime, tempDir } from '../test/helpers/runtime.ts';
import { timeReportFormats, waitForMerges } from './stats.ts';
import { monthOf } from '../server/reports/period.ts';

const TARGETS = 100;
const HOSTS = 50;
const RUNS = 3;

async function main() {
  const first = monthOf('2025-11', 'Asia/Tokyo');
  const last = monthOf('2026-10', 'Asia/Tokyo');
  const days = Math.round((last.to - first.from) / 86_400_000);
  const dataDir = tempDir();
  const rt = await openTestRuntime({ dataDir, yaml: 'agent: { enabled: false }\nrules: []\n', now: () => last.to + 5 * 86_400_000 });
  const seeded = performance.now();
  for (let day = 0; day < days; day++) {
    const from = first.from + day * 86_400_000;
    await rt.storage.command(sql`
      INSERT INTO probes (timestamp, environment, target, url, ok, status, total_ms)
      SELECT ${ts(from)} + toIntervalMinute(10 * intDiv(number, ${typed(TARGETS, 'UInt32')})), 'production', concat('target-', toString(number % ${typed(TARGETS, 'UInt32')})), 'https://example.jp/',
        cityHash64(number, ${typed(day, 'UInt32')}) % 500 != 0 AS ok, if(ok, 200, 503),
        if(cityHash64(number, 2) % 1000 = 0, 6000 + cityHash64(number) % 3000, 120 + cityHash64(number, 3) % 900)
      FROM numbers(${typed(TARGETS * 144, 'UInt64')})`);
    await rt.storage.command(sql`
      INSERT INTO metrics (timestamp, environment, host, name, labels, value)
      SELECT ${ts(from)} + toIntervalMinute(10 * intDiv(number, ${typed(HOSTS, 'UInt32')})), 'production', concat('host-', toString(number % ${typed(HOSTS, 'UInt32')})), 'cpu_utilisation_percent', map('cpu', 'total'), 20 + cityHash64(number) % 70
      FROM numbers(${typed(HOSTS * 144, 'UInt64')})`);
  }
  await waitForMerges(rt.storage);
  const [rows] = await rt.storage.query<{ n: number }>(sql`SELECT count() AS n FROM probes`);
  process.stderr.write(`seeded ${rows!.n} probes in ${((performance.now() - seeded) / 1000).toFixed(0)} s\n`);
  await rt.close();
  console.log(JSON.stringify({ bench: 'report-annual', probes: rows!.n, targets: TARGETS, hosts: HOSTS, ...(await timeReportFormats(dataDir, `/api/v1/reports/annual?from=2025-11&environment=production`, RUNS)) }));
}

await main();
