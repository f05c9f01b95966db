import { sql } from '../server/storage/sql.ts';
import fs from 'node:fs';
import { startServerProcess } from '../test/helpers/server-process.ts';

/** Percentile by nearest rank over a copy of the samples. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Peak resident set (VmHWM) of a process, in MiB, from /proc. */
export function peakRssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** Current RSS and its anonymous and file-backed parts (MiB), from /proc/<pid>/status. */
export function rssParts(pid: number): { rss: number; anon: number; file: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') };
}

/** Samples rssParts every `everyMs` until stopped; the peak of each part. */
export function sampleRss(pid: number, everyMs = 100): { stop: () => { rss: number; anon: number; file: number } } {
  const peak = { rss: 0, anon: 0, file: 0 };
  const take = () => {
    try {
      const now = rssParts(pid);
      for (const k of ['rss', 'anon', 'file'] as const) peak[k] = Math.max(peak[k], now[k]);
    } catch {
      // the process is gone
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return { stop: () => (clearInterval(timer), take(), peak) };
}

/** Times `count` calls one after another; with `paceMs`, each starts at least that long after the one before (the wait is not timed). */
export async function timeRequests(count: number, call: (i: number) => Promise<void>, paceMs = 0): Promise<{ p50: number; p95: number; max: number }> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await call(i);
    samples.push(performance.now() - started);
    const rest = paceMs - (performance.now() - started);
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
  }
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), max: Math.max(...samples) };
}

/** CPU seconds used so far by each thread of a process, grouped by thread name (from /proc). */
export function threadCpuSeconds(pid: number): Map<string, number> {
  const ticks = 100; // USER_HZ on Linux
  const byName = new Map<string, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[\d-]+$/, '');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / ticks;
      byName.set(name, (byName.get(name) ?? 0) + seconds);
    } catch {
      // the thread ended meanwhile
    }
  }
  return byName;
}

export function cpuDelta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, s] of after) {
    const d = s - (before.get(name) ?? 0);
    if (d >= 0.05) out[name] = +d.toFixed(2);
  }
  return out;
}

/** Waits (up to 2 min) until ClickHouse has no merge running, so a benchmark measures the steady state; returns the seconds waited. */
export async function waitForMerges(storage: { query<T>(q: ReturnType<typeof sql>): Promise<T[]> }): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < 120_000) {
    const [merging] = await storage.query<{ n: number }>(sql`SELECT count() AS n FROM system.merges`);
    if (merging!.n === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return (performance.now() - started) / 1000;
}

const REPORT_RSS_EVERY_MS = 20;
/** Where a report bench reads its peak RSS from, printed beside the figure. */
const REPORT_RSS_SOURCE = `the server process alone (its own process, not the bench), /proc/<pid>/status VmRSS sampled every ${REPORT_RSS_EVERY_MS} ms during each request`;

/**
 * Asks a report `runs` times over HTTP from a server running as its own
 * process, sampling that process's RSS every `everyMs` while each request
 * runs (from the bench's event loop, which only waits on the answer): p50
 * and max seconds, the answer's size, the server's RSS before the first
 * request and its peak during the requests (MiB).
 */
async function timeReport(server: { url: string; pid: number }, headers: Record<string, string>, pathAndQuery: string, runs: number, everyMs = REPORT_RSS_EVERY_MS): Promise<{ p50_s: number; max_s: number; kib: number; server_rss_before_mib: number; server_peak_rss_mib: number }> {
  const seconds: number[] = [];
  let bytes = 0;
  const before = rssParts(server.pid).rss;
  let peak = before;
  for (let i = 0; i < runs; i++) {
    const sampler = sampleRss(server.pid, everyMs);
    const started = performance.now();
    const res = await fetch(`${server.url}${pathAndQuery}`, { headers });
    const body = Buffer.from(await res.arrayBuffer());
    seconds.push((performance.now() - started) / 1000);
    peak = Math.max(peak, sampler.stop().rss);
    if (res.status !== 200) throw new Error(`${pathAndQuery}: ${res.status} ${body.toString('utf8').slice(0, 200)}`);
    bytes = body.length;
  }
  seconds.sort((a, b) => a - b);
  return { p50_s: +seconds[Math.floor(runs / 2)]!.toFixed(3), max_s: +seconds[runs - 1]!.toFixed(3), kib: Math.round(bytes / 1024), server_rss_before_mib: Math.round(before), server_peak_rss_mib: Math.round(peak) };
}

/**
 * A report bench's figures: the report at `pathAndQuery` (without its
 * format) asked `runs` times each as JSON, HTML and XLSX from a server of
 * its own (`mimamori start` on the seeded data directory), so the peak RSS
 * is the server's while it builds them, not the seeding process's.
 */
export async function timeReportFormats(dataDir: string, pathAndQuery: string, runs: number) {
  const server = await startServerProcess({ MIMAMORI_DATA: dataDir }, 120_000);
  try {
    const time = (format: string) => timeReport({ url: server.url, pid: server.child.pid! }, { authorization: `Bearer ${server.adminKey}` }, `${pathAndQuery}&format=${format}`, runs);
    const json = await time('json');
    const html = await time('html');
    const xlsx = await time('xlsx');
    const peak = Math.max(json.server_peak_rss_mib, html.server_peak_rss_mib, xlsx.server_peak_rss_mib);
    return { json, html, xlsx, server_peak_rss_mib: peak, rss_of: REPORT_RSS_SOURCE };
  } finally {
    await server.stop();
  }
}
