// Hand-over bundle benchmark (issue 19): 10M log lines and 4.32M probe rows
// (100 targets × 30 days × 1 a minute), generated in SQL through the same
// tables and rollup views as ingest; then the bundle exported (Parquet, CSV,
// Native for rollups, manifest) and imported into a fresh data directory.
// Each phase runs in its own process (chDB opens a directory in one), and
// reports its own peak RSS. Prints rows/s each way and the bundle's size
// against the data directory's.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sql, ts, typed } from '../server/storage/sql.ts';
import { openTestRuntime, tempDir } from '../test/helpers/runtime.ts';
import { sampleRss, waitForMerges } from './stats.ts';

const LOG_LINES = Number(process.env.BENCH_LOG_LINES ?? 10_000_000);
const TARGETS = 100;
const DAYS = 30;
const START = Date.UTC(2026, 9, 1);
const yaml = 'agent: { enabled: false }\nrules: []\npatterns: { enabled: false }\n';

async function seed(dataDir: string) {
  const rt = await openTestRuntime({ dataDir, yaml });
  const started = performance.now();
  for (let from = 0; from < LOG_LINES; from += 1_000_000) {
    const n = Math.min(1_000_000, LOG_LINES - from);
    await rt.storage.command(sql`
      INSERT INTO logs (timestamp, environment, host, service, level, message, attributes)
      SELECT ${ts(START)} + toIntervalMillisecond((number + ${typed(from, 'UInt64')}) * 259), 'production', concat('web-', toString(number % 8)),
        ['api', 'portal', 'payments', 'auth'][1 + number % 4], ['info', 'info', 'info', 'warn', 'error'][1 + number % 5],
        concat('GET /api/v1/items/', toString(cityHash64(number) % 100000), ' answered ', toString(200 + (number % 7) * 50), ' in ', toString(cityHash64(number, 2) % 900), ' ms'),
        map('request_id', hex(cityHash64(number, ${typed(from, 'UInt64')})))
      FROM numbers(${typed(n, 'UInt64')})`);
    process.stderr.write(`\rseeded ${from + n} log lines`);
  }
  for (let day = 0; day < DAYS; day++) {
    await rt.storage.command(sql`
      INSERT INTO probes (timestamp, environment, target, url, ok, status, error, dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms)
      SELECT ${ts(START + day * 86_400_000)} + toIntervalMinute(intDiv(number, ${typed(TARGETS, 'UInt32')})), 'production', concat('target-', toString(number % ${typed(TARGETS, 'UInt32')})) AS target,
        concat('https://', target, '.example.jp/'), cityHash64(number, ${typed(day, 'UInt32')}) % 500 != 0 AS ok, if(ok, 200, 503), if(ok, '', 'HTTP 503'),
        1 + cityHash64(number) % 5, 2 + cityHash64(number) % 10, 5 + cityHash64(number) % 20, 80 + cityHash64(number, 1) % 400, 120 + cityHash64(number, 3) % 900
      FROM numbers(${typed(TARGETS * 1440, 'UInt64')})`);
  }
  const merged = await waitForMerges(rt.storage);
  await rt.close();
  return { seed_s: (performance.now() - started) / 1000, merges_s: merged };
}

async function exportPhase(dataDir: string, out: string) {
  const rt = await openTestRuntime({ dataDir, yaml });
  const { handoverExport } = await import('../server/handover-bundle/export.ts');
  const idle = sampleRss(process.pid).stop().rss;
  const rss = sampleRss(process.pid);
  const started = performance.now();
  const op = handoverExport({ storage: rt.storage, miner: rt.miner, known: rt.known, now: Date.now, version: 'bench' });
  await op.run({}, { storage: rt.storage, dir: out, now: Date.now(), flushAudit: () => rt.trail.flush(), requester: { name: 'bench', role: 'operator' }, approver: { name: 'bench-2', role: 'approver' } });
  const seconds = (performance.now() - started) / 1000;
  const peak = rss.stop();
  await rt.close();
  return { seconds, idle_rss_mib: idle, peak_rss_mib: peak.rss, peak_anon_mib: peak.anon, peak_file_mib: peak.file };
}

async function importPhase(bundle: string, dataDir: string) {
  const { openStorage } = await import('../server/storage/client.ts');
  const { checkBundle, importBundle } = await import('../server/handover-bundle/import.ts');
  const rss = sampleRss(process.pid);
  const started = performance.now();
  const manifest = await checkBundle(bundle);
  const checked = (performance.now() - started) / 1000;
  const storage = await openStorage({ dataDir, log: () => undefined });
  const result = await importBundle(storage, dataDir, bundle, manifest);
  await storage.close();
  const peak = rss.stop();
  return { seconds: (performance.now() - started) / 1000, checksums_s: checked, rows: result.rows, chain_ok: result.chain.ok, peak_rss_mib: peak.rss, peak_anon_mib: peak.anon, peak_file_mib: peak.file };
}

/** Bytes under a directory. */
function sizeOf(dir: string, filter: (name: string) => boolean = () => true): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && filter(entry.name)) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

function child(...args: string[]): Record<string, number> {
  const result = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, ...args], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`${args[0]} failed (${result.status})`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
}

async function main() {
  const [phase, a, b] = process.argv.slice(2);
  if (phase === 'seed') return console.log(JSON.stringify(await seed(a!)));
  if (phase === 'export') return console.log(JSON.stringify(await exportPhase(a!, b!)));
  if (phase === 'import') return console.log(JSON.stringify(await importPhase(a!, b!)));
  const source = tempDir('mimamori-bench-handover-');
  const bundle = tempDir('mimamori-bench-bundle-');
  const target = tempDir('mimamori-bench-imported-');
  try {
    const seeded = child('seed', source);
    const exported = child('export', source, bundle);
    const imported = child('import', bundle, target);
    const manifest = JSON.parse(fs.readFileSync(path.join(bundle, 'manifest.json'), 'utf8')) as { tables: { name: string; rows: number }[] };
    const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
    const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
    console.log(JSON.stringify({
      bench: 'handover',
      log_lines: manifest.tables.find((t) => t.name === 'logs')!.rows,
      probe_rows: manifest.tables.find((t) => t.name === 'probes')!.rows,
      rows_all_tables: rows,
      seed_s: Number(seeded.seed_s!.toFixed(1)),
      export_s: Number(exported.seconds!.toFixed(1)),
      export_rows_per_s: Math.round(rows / exported.seconds!),
      export_peak_rss_mib: Math.round(exported.peak_rss_mib!),
      export_idle_rss_mib: Math.round(exported.idle_rss_mib!),
      export_peak_anon_file_mib: [Math.round(exported.peak_anon_mib!), Math.round(exported.peak_file_mib!)],
      import_s: Number(imported.seconds!.toFixed(1)),
      import_checksums_s: Number(imported.checksums_s!.toFixed(1)),
      import_rows_per_s: Math.round(rows / imported.seconds!),
      import_peak_rss_mib: Math.round(imported.peak_rss_mib!),
      import_peak_anon_file_mib: [Math.round(imported.peak_anon_mib!), Math.round(imported.peak_file_mib!)],
      chain_ok: imported.chain_ok,
      data_dir_mib: mib(sizeOf(path.join(source, 'clickhouse'))),
      bundle_mib: mib(sizeOf(bundle)),
      bundle_parquet_mib: mib(sizeOf(bundle, (n) => n.endsWith('.parquet'))),
      bundle_csv_mib: mib(sizeOf(bundle, (n) => n.endsWith('.csv'))),
      bundle_native_mib: mib(sizeOf(bundle, (n) => n.endsWith('.native'))),
      imported_data_dir_mib: mib(sizeOf(path.join(target, 'clickhouse'))),
    }));
  } finally {
    // BENCH_KEEP=1 keeps the directories for a closer look.
    if (process.env.BENCH_KEEP) console.error(`kept: ${source} ${bundle} ${target}`);
    else for (const dir of [source, bundle, target]) fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
