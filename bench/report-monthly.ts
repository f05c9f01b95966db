// Monthly report benchmark (issue 16): 100 probe targets × one month of
// 1-minute probes (~4.5M rows) and 50 hosts of CPU, generated in SQL through
// the same tables and rollup views as ingest; then the report of that month
// as JSON, HTML and XLSX over HTTP from a separate server process (`mimamori
// start` on the seeded data directory), 5 times each: p50 / max seconds, the
// XLSX size, and the server process's peak RSS, sampled every 20 ms while
// each report is built.
import { sql, ts, typed } from '../server/storage/sql.ts';
import { openTestRuntime, tempDir } from '../test/helpers/runtime.ts';
import { timeReportFormats, waitForMerges } from './stats.ts';
import { monthOf } from '../server/reports/period.ts';

const TARGETS = 100;
const HOSTS = 50;
const MONTH = process.env.BENCH_MONTH ?? '2026-10';
const RUNS = 5;

async function main() {
  const month = monthOf(MONTH, 'Asia/Tokyo');
  const minutes = (month.to - month.from) / 60_000;
  const dataDir = tempDir();
  const rt = await openTestRuntime({ dataDir, yaml: 'agent: { enabled: false }\nrules: []\n', now: () => month.to + 5 * 86_400_000 });
  const seeded = performance.now();
  // One day at a time keeps each insert's memory small.
  for (let day = 0; day < minutes / 1440; day++) {
    const from = month.from + day * 86_400_000;
    await rt.storage.command(sql`
      INSERT INTO probes (timestamp, environment, target, url, ok, status, total_ms)
      SELECT ${ts(from)} + toIntervalMinute(intDiv(number, ${typed(TARGETS, 'UInt32')})), 'production', concat('target-', toString(number % ${typed(TARGETS, 'UInt32')})), 'https://example.jp/',
        cityHash64(number, ${typed(day, 'UInt32')}) % 500 != 0 AS ok, if(ok, 200, 503),
        if(cityHash64(number, 2) % 1000 = 0, 6000 + cityHash64(number) % 3000, 120 + cityHash64(number, 3) % 900)
      FROM numbers(${typed(TARGETS * 1440, 'UInt64')})`);
    await rt.storage.command(sql`
      INSERT INTO metrics (timestamp, environment, host, name, labels, value)
      SELECT ${ts(from)} + toIntervalMinute(intDiv(number, ${typed(HOSTS, 'UInt32')})), 'production', concat('host-', toString(number % ${typed(HOSTS, 'UInt32')})), 'cpu_utilisation_percent', map('cpu', 'total'), 20 + cityHash64(number) % 70
      FROM numbers(${typed(HOSTS * 1440, 'UInt64')})`);
  }
  await waitForMerges(rt.storage);
  const [rows] = await rt.storage.query<{ n: number }>(sql`SELECT count() AS n FROM probes`);
  process.stderr.write(`seeded ${rows!.n} probes in ${((performance.now() - seeded) / 1000).toFixed(0)} s\n`);
  await rt.close();
  console.log(JSON.stringify({ bench: 'report-monthly', probes: rows!.n, targets: TARGETS, hosts: HOSTS, ...(await timeReportFormats(dataDir, `/api/v1/reports/monthly?month=${MONTH}&environment=production`, RUNS)) }));
}

await main();
