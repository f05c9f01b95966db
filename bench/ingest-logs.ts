// Ingest benchmark (issue 2): 2,000,000 realistic log lines, 5,000 per
// request, 4 concurrent, over loopback HTTP into a fresh server process.
// Prints lines/s to the last acknowledgement (durable in the write-ahead
// log) and to the moment every row is queryable in ClickHouse, the
// server's peak RSS, and p50/p95 of the ERROR count over the whole range and
// of the logs explorer's filtered count-and-newest-page.
import fs from 'node:fs';
import path from 'node:path';
import { startServerProcess } from '../test/helpers/server-process.ts';
import { tempDir } from '../test/helpers/runtime.ts';
import { line, post } from './log-lines.ts';
import { cpuDelta, peakRssMiB, rssParts, sampleRss, threadCpuSeconds, timeRequests } from './stats.ts';

const TOTAL = Number(process.env.BENCH_LINES ?? 2_000_000);
const PER_REQUEST = 5_000;
const CONCURRENCY = 4;

async function main() {
  const dataDir = tempDir('mimamori-bench-ingest-');
  const start = Date.now() - 3_600_000;
  process.stderr.write(`generating ${TOTAL} lines…\n`);
  const bodies: Buffer[] = [];
  for (let i = 0; i < TOTAL; i += PER_REQUEST) {
    const lines: string[] = [];
    for (let j = i; j < Math.min(TOTAL, i + PER_REQUEST); j++) lines.push(line(j, start));
    bodies.push(Buffer.from(`${lines.join('\n')}\n`));
  }
  const bytes = bodies.reduce((n, b) => n + b.length, 0);
  // BENCH_QUIET=1: no built-in agent and no rule evaluation beside the bench (to see what they cost).
  // BENCH_PATTERNS=off: without the log-pattern miner (issue 18), to see what it costs.
  const quiet = process.env.BENCH_QUIET === '1';
  const noPatterns = process.env.BENCH_PATTERNS === 'off';
  // BENCH_YAML: more YAML for the server, to try a setting (e.g. 'ingest: { flush_rows: 50000 }').
  const yaml = `${quiet ? 'agent: { enabled: false }\nevaluation_interval: 1h\n' : ''}${noPatterns ? 'patterns: { enabled: false }\n' : ''}${process.env.BENCH_YAML ? `${process.env.BENCH_YAML}\n` : ''}`;
  if (yaml) fs.writeFileSync(path.join(dataDir, 'mimamori.yaml'), yaml);
  const server = await startServerProcess({ MIMAMORI_DATA: dataDir, ...(yaml ? { MIMAMORI_CONFIG: path.join(dataDir, 'mimamori.yaml') } : {}) });
  running = server;
  const token = fs.readFileSync(path.join(dataDir, 'ingest-token'), 'utf8').trim();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' };

  // Idle: after start-up has settled, before the first line.
  await new Promise((r) => setTimeout(r, 2000));
  const idle = rssParts(server.child.pid!);
  const sampler = sampleRss(server.child.pid!);
  // Reads need a role since issue 12: the local admin key. A refusal stops the bench rather than ending the wait early.
  const read = async (query: string) => {
    const res = await fetch(`${server.url}/api/v1/logs?${query}`, { headers: { authorization: `Bearer ${server.adminKey}` } });
    if (!res.ok) throw new Error(`GET /api/v1/logs: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { total: number }).total;
  };
  // The logs explorer's shape (issue 15): host, service and level filters, edges off whole minutes, count and the newest page together.
  const explorer = `environment=production&host=web-2&service=api&level=error&from=${start - 47_123}&to=${start + 1_800_000 + 23_456}&limit=50`;
  let next = 0;
  const cpuBefore = threadCpuSeconds(server.child.pid!);
  const clientCpuBefore = process.cpuUsage();
  const began = performance.now();
  // BENCH_READS_DURING=1: the explorer's request every 50 ms while the burst arrives, as an operator watching it (reported apart).
  let bursting = true;
  const readsDuring: number[] = [];
  const prober = process.env.BENCH_READS_DURING === '1' ? (async () => {
    await new Promise((r) => setTimeout(r, 300));
    while (bursting) {
      const t = performance.now();
      await read(explorer);
      readsDuring.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }
  })() : undefined;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        await post(`${server.url}/api/v1/ingest/logs`, headers, body);
      }
    }),
  );
  const ackedSeconds = (performance.now() - began) / 1000;
  const range = `from=${start - 60_000}&to=${Date.now() + 60_000}`;
  let stored = 0;
  while (stored < TOTAL) {
    stored = await read(`${range}&limit=0`);
    if (stored < TOTAL) await new Promise((r) => setTimeout(r, 20));
  }
  const storedSeconds = (performance.now() - began) / 1000;
  bursting = false;
  await prober;
  const during = readsDuring.sort((a, b) => a - b);
  const serverCpu = cpuDelta(cpuBefore, threadCpuSeconds(server.child.pid!));
  const clientCpu = process.cpuUsage(clientCpuBefore);
  // The pattern miner after the burst (issue 18): seconds from every line queryable to every line mined.
  let minedSeconds: number | null = null;
  if (!noPatterns) {
    const waitFrom = performance.now();
    while (performance.now() - waitFrom < 300_000) {
      let mined = 0;
      for (const environment of ['production', 'staging']) {
        const answer = (await (await fetch(`${server.url}/api/v1/patterns?environment=${environment}&limit=500&${range}`, { headers: { authorization: `Bearer ${server.adminKey}` } })).json()) as { patterns: { count: number }[] };
        mined += answer.patterns.reduce((n, p) => n + p.count, 0);
      }
      if (mined >= TOTAL) {
        minedSeconds = (performance.now() - waitFrom) / 1000;
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const rss = peakRssMiB(server.child.pid!);
  const peak = sampler.stop();

  // Queries are timed once the engine has merged what ingest wrote (BENCH_SETTLE_S, default 20 s), as a reader meets it.
  await new Promise((r) => setTimeout(r, Number(process.env.BENCH_SETTLE_S ?? 20) * 1000));
  let errors = 0;
  const query = await timeRequests(50, async () => {
    errors = await read(`level=error&${range}&limit=0`);
  });
  let explorerTotal = 0;
  const page = await timeRequests(200, async () => {
    explorerTotal = await read(explorer);
  });
  const metricsText = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.adminKey}` } })).text();
  const gauge = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metricsText)?.[1] ?? NaN);
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });

  const result = {
    lines: TOTAL,
    mb: +(bytes / 1e6).toFixed(1),
    acked_lines_per_s: Math.round(TOTAL / ackedSeconds),
    queryable_lines_per_s: Math.round(TOTAL / storedSeconds),
    server_peak_rss_mib: Math.round(rss),
    server_idle_rss_mib: Math.round(idle.rss),
    server_peak_rss_growth_mib: Math.round(peak.rss - idle.rss),
    server_rss_anon_mib: { idle: Math.round(idle.anon), peak: Math.round(peak.anon) },
    server_rss_file_mib: { idle: Math.round(idle.file), peak: Math.round(peak.file) },
    error_count: errors,
    error_count_p50_ms: +query.p50.toFixed(1),
    error_count_p95_ms: +query.p95.toFixed(1),
    explorer_total: explorerTotal,
    explorer_page_p50_ms: +page.p50.toFixed(1),
    explorer_page_p95_ms: +page.p95.toFixed(1),
    ...(prober ? { explorer_during_burst: { requests: during.length, p50_ms: +during[Math.floor(during.length / 2)]!.toFixed(1), p95_ms: +during[Math.floor(during.length * 0.95)]!.toFixed(1) } } : {}),
    seconds: +storedSeconds.toFixed(2),
    patterns_miner: noPatterns ? 'off' : 'on',
    patterns_mined_after_s: minedSeconds === null ? null : +minedSeconds.toFixed(1),
    server_js_heap_total_mib: Math.round(gauge('mimamori_nodejs_heap_size_total_bytes') / 2 ** 20),
    server_cpu_s_by_thread: serverCpu,
    client_cpu_s: +((clientCpu.user + clientCpu.system) / 1e6).toFixed(2),
  };
  console.log(JSON.stringify({ bench: 'ingest-logs', ...result }));
}

/** The server under test, stopped when the bench fails, so no server outlives a failed run. */
let running: Awaited<ReturnType<typeof startServerProcess>> | undefined;
await main().catch(async (error: unknown) => {
  await running?.stop().catch(() => undefined);
  throw error;
});
