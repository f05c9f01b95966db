// Scale-out benchmark (issue 19): how much later a primary learns of a row
// that a replica ingested, compared with its own door. A replica's loader
// writes into probes_ingest (and on through the view into probes); the
// primary (MIMAMORI_ROLE=primary, its hourly evaluation far off) reads rows
// back by stored_at every 200 ms. For 60 slow probes written that way, one
// every 0.3–0.6 s: the delay from the insert's return to the primary's bus
// announcing the row, and to the alert firing. Target: ≤ 1 s added.
import { openTestRuntime } from '../test/helpers/runtime.ts';
import type { IngestedEvent } from '../server/shared/event-bus.ts';
import { percentile } from './stats.ts';

const SAMPLES = 60;

async function main() {
  const rt = await openTestRuntime({
    yaml: 'agent: { enabled: false }\nevaluation_interval: 1h\nrules:\n  - { name: slow, kind: response_time, consecutive: 1 }\n',
    env: { MIMAMORI_ROLE: 'primary' },
  });
  const announced = new Map<string, number>();
  rt.bus.on('ingested', (event: IngestedEvent) => {
    if (event.kind !== 'probes') return;
    for (const r of event.records as { target: string }[]) if (!announced.has(r.target)) announced.set(r.target, performance.now());
  });
  const toBus: number[] = [];
  const toAlert: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const target = `replica-target-${i}`;
    await rt.storage.insertRows('probes_ingest', [{ timestamp: String(Date.now()), environment: 'production', target, url: 'https://example.jp/', ok: true, status: 200, error: '', total_ms: 6100 }], `bench-follower-${i}-${Date.now()}`);
    const stored = performance.now();
    let fired: number | undefined;
    while (fired === undefined && performance.now() - stored < 10_000) {
      if (rt.alerting.store.active().some((a) => a.rule === 'slow' && a.labels.target === target && a.state === 'firing')) fired = performance.now();
      else await new Promise((r) => setTimeout(r, 5));
    }
    if (fired === undefined || !announced.has(target)) throw new Error(`${target}: not announced within 10 s`);
    toBus.push(announced.get(target)! - stored);
    toAlert.push(fired - stored);
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 300));
  }
  await rt.close();
  const stats = (s: number[]) => ({ p50: Math.round(percentile(s, 50)), p95: Math.round(percentile(s, 95)), max: Math.round(Math.max(...s)) });
  console.log(JSON.stringify({ bench: 'follower-delay', samples: SAMPLES, poll_ms: 200, settle_ms: 200, stored_to_announced_ms: stats(toBus), stored_to_alert_firing_ms: stats(toAlert) }));
}

await main();
