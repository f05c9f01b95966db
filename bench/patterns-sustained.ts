// The pattern miner under a sustained ingest (issue 18): BENCH_RATE lines/s
// (default 100,000: a busy production system) for BENCH_SECONDS (default
// 30) through the ingest door of a fresh server process, 5,000 lines a
// request, 4 concurrent. Samples the miner's lag (mimamori_patterns_miner_lag_seconds)
// every second; prints the rate reached, the lag's p50/p95/max under the
// load, and how long after the last line the miner had mined every line.
import fs from 'node:fs';
import path from 'node:path';
import { startServerProcess } from '../test/helpers/server-process.ts';
import { tempDir } from '../test/helpers/runtime.ts';
import { line, post } from './log-lines.ts';
import { percentile, rssParts, sampleRss } from './stats.ts';

const RATE = Number(process.env.BENCH_RATE ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const PER_REQUEST = 5_000;
const CONCURRENCY = 4;

async function main() {
  const dataDir = tempDir('mimamori-bench-patterns-');
  // One second's worth of bodies, sent again every second (the lines repeat, as a busy system's do).
  const start = Date.now() - 600_000;
  const bodies: Buffer[] = [];
  for (let i = 0; i < RATE; i += PER_REQUEST) bodies.push(Buffer.from(`${Array.from({ length: PER_REQUEST }, (_, j) => line(i + j, start)).join('\n')}\n`));
  fs.writeFileSync(path.join(dataDir, 'mimamori.yaml'), 'agent: { enabled: false }\nevaluation_interval: 1h\n');
  const server = await startServerProcess({ MIMAMORI_DATA: dataDir, MIMAMORI_CONFIG: path.join(dataDir, 'mimamori.yaml') });
  const token = fs.readFileSync(path.join(dataDir, 'ingest-token'), 'utf8').trim();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' };
  const gauges = async () => {
    const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.adminKey}` } })).text();
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    return { lag: gauge('mimamori_patterns_miner_lag_seconds'), mined: gauge('mimamori_patterns_mined_lines') };
  };
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const idle = rssParts(server.child.pid!);
    const rss = sampleRss(server.child.pid!);
    const lags: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        lags.push((await gauges()).lag);
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    const began = performance.now();
    let sent = 0;
    let lateSeconds = 0;
    for (let second = 0; second < SECONDS; second++) {
      const due = began + (second + 1) * 1000;
      let next = 0;
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < bodies.length) await post(`${server.url}/api/v1/ingest/logs`, headers, bodies[next++]!);
      }));
      sent += RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else lateSeconds++;
    }
    const sendSeconds = (performance.now() - began) / 1000;
    const stoppedAt = performance.now();
    sampling = false;
    await sampler;
    let caughtUp: number | null = null;
    while (performance.now() - stoppedAt < 300_000) {
      if ((await gauges()).mined >= sent) {
        caughtUp = (performance.now() - stoppedAt) / 1000;
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const peak = rss.stop();
    // The lag includes the miner's settling (5 s) and its pause when caught up (1 s).
    const underLoad = lags.filter((l) => Number.isFinite(l));
    console.log(JSON.stringify({
      bench: 'patterns-sustained',
      target_lines_per_s: RATE,
      seconds: SECONDS,
      sent_lines: sent,
      reached_lines_per_s: Math.round(sent / sendSeconds),
      seconds_behind_schedule: lateSeconds,
      miner_lag_s: { p50: +percentile(underLoad, 50).toFixed(1), p95: +percentile(underLoad, 95).toFixed(1), max: +Math.max(...underLoad).toFixed(1) },
      all_mined_after_last_line_s: caughtUp === null ? null : +caughtUp.toFixed(1),
      server_rss_mib: { idle: Math.round(idle.rss), peak: Math.round(peak.rss), growth: Math.round(peak.rss - idle.rss) },
    }));
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
