// Rule evaluation benchmark (issue 4): one evaluation cycle of 1,000 rules
// of every kind over 30 days of 1-minute probes for 100 targets (4.32M
// rows), 30 days of 1-minute CPU for 50 hosts (2.16M rows) and a day of
// logs, all generated in SQL through the same tables and rollup views as
// ingest. Rules that share a kind and batch key share one query.
import fs from 'node:fs';
import { openRuntime } from '../server/runtime.ts';
import { parseConfigText } from '../server/config/load.ts';
import { sql, ts, typed } from '../server/storage/sql.ts';
import { tempDir } from '../test/helpers/runtime.ts';
import { percentile, waitForMerges } from './stats.ts';

const TARGETS = 100;
const HOSTS = 50;
const DAYS = 30;
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const DAY_MS = 86_400_000;

function rulesYaml(): string {
  const lines: string[] = [];
  const add = (n: number, make: (i: number) => string) => {
    for (let i = 0; i < n; i++) lines.push(`  - { name: r${lines.length}, ${make(i)} }`);
  };
  add(300, (i) => `kind: response_time, threshold_ms: ${3000 + (i % 5) * 500}, consecutive: ${1 + (i % 3)}, match: { target: target-${i % TARGETS} }`);
  add(100, (i) => `kind: response_time, window: ${['5m', '15m', '1h'][i % 3]}, statistic: ${['p95', 'max', 'p99'][i % 3]}, match: { target: target-${i % TARGETS} }`);
  add(100, (i) => `kind: availability, consecutive: ${2 + (i % 2)}, match: { target: target-${i % TARGETS} }`);
  add(50, (i) => `kind: availability, window: 1h, below_percent: 99.5, match: { target: target-${i % TARGETS} }`);
  add(200, (i) => `kind: cpu, threshold_percent: ${70 + (i % 3) * 10}, window: ${i % 2 ? '10m' : '30m'}, match: { host: host-${i % HOSTS} }`);
  add(100, (i) => `kind: log_errors, window: ${i % 2 ? '5m' : '15m'}, min_count: ${1 + (i % 5)}, match: { service: svc-${i % 10} }`);
  add(50, (i) => `kind: absence, source: ${i % 2 ? 'probes' : 'metrics'}, period: 10m`);
  add(100, (i) => `kind: burn_rate, objective_percent: ${i % 2 ? 99 : 99.5}, match: { target: target-${i % TARGETS} }`);
  return `environments: [production]\nagent: { enabled: false }\nevaluation_interval: 1h\nrules:\n${lines.join('\n')}\n`;
}

async function main() {
  const dataDir = tempDir('mimamori-bench-rules-');
  const config = parseConfigText(rulesYaml(), 'bench');
  const runtime = await openRuntime({ config, dataDir, logger: false });
  const end = Math.floor(Date.now() / 60_000) * 60_000;
  const start = end - DAYS * DAY_MS;
  for (let day = 0; day < DAYS; day++) {
    const from = ts(start + day * DAY_MS);
    await runtime.storage.command(sql`
      INSERT INTO probes (timestamp, environment, target, url, ok, status, error, dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms)
      SELECT ${from} + toIntervalMinute(intDiv(number, ${typed(TARGETS, 'UInt32')})) AS timestamp, 'production',
        concat('target-', toString(number % ${typed(TARGETS, 'UInt32')})) AS target, concat('https://', target, '.example.jp/'),
        cityHash64(number, ${typed(day, 'UInt32')}) % 500 != 0 AS ok, if(ok, 200, 503), if(ok, '', 'HTTP 503'), 2, 3, 10, 100,
        if(cityHash64(number, 2) % 1000 = 0, 6000 + cityHash64(number) % 3000, 120 + cityHash64(number, 3) % 900)
      FROM numbers(${typed(TARGETS * 1440, 'UInt64')})`);
    await runtime.storage.command(sql`
      INSERT INTO metrics (timestamp, environment, host, name, labels, value)
      SELECT ${from} + toIntervalMinute(intDiv(number, ${typed(HOSTS, 'UInt32')})), 'production', concat('host-', toString(number % ${typed(HOSTS, 'UInt32')})),
        'cpu_utilisation_percent', map('cpu', 'total'), 20 + cityHash64(number, ${typed(day, 'UInt32')}) % 75
      FROM numbers(${typed(HOSTS * 1440, 'UInt64')})`);
    process.stderr.write(`\rseeded day ${day + 1}/${DAYS}`);
  }
  await runtime.storage.command(sql`
    INSERT INTO logs (timestamp, environment, host, service, level, message, attributes) SELECT ${ts(end - DAY_MS)} + toIntervalSecond(number % 86400), 'production', concat('host-', toString(number % 50)),
      concat('svc-', toString(number % 10)), if(number % 50 = 0, 'error', 'info'), concat('request ', toString(number)), map()
    FROM numbers(500000)`);
  process.stderr.write('\n');
  await waitForMerges(runtime.storage);
  const evaluator = runtime.alerting.evaluator;
  const samples: number[] = [];
  let first = 0;
  for (let run = 0; run <= RUNS; run++) {
    const started = performance.now();
    await evaluator.run('all');
    const ms = performance.now() - started;
    if (run === 0) first = ms;
    else samples.push(ms);
  }
  const urgent: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    await evaluator.run('urgent');
    urgent.push(performance.now() - started);
  }
  const alerts = runtime.alerting.store.active().length;
  await runtime.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  const r = (n: number) => Math.round(n);
  console.log(JSON.stringify({ bench: 'rule-eval', rules: config.rules.length, probe_rows: TARGETS * 1440 * DAYS, metric_rows: HOSTS * 1440 * DAYS, active_alerts: alerts, first_cycle_ms: r(first), cycle_p50_ms: r(percentile(samples, 50)), cycle_p95_ms: r(percentile(samples, 95)), urgent_p50_ms: r(percentile(urgent, 50)), urgent_p95_ms: r(percentile(urgent, 95)) }));
}

await main();
