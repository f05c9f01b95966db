// End-to-end alert benchmark (issue 4), as the contractor experiences it:
// a real local target switches from fast to a 6-second answer at a random
// moment; the in-process agent of a real server process probes it every
// 10 s; measured from the switch to the alert mail received by a real SMTP
// server, over 20 runs. Between runs the target recovers and the alert resolves.
import { startAlertServer } from './alert-server.ts';
import { SwitchableTarget } from '../test/helpers/local-servers.ts';
import { percentile } from './stats.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const INTERVAL_S = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const target = new SwitchableTarget();
  const url = await target.start();
  // group_interval 0 s also keeps run n+1's mail from waiting on run n's resolve mail.
  const { smtp, stop } = await startAlertServer(`agent: { environment: production }\ntargets:\n  - { name: portal-top, url: "${url}", interval: ${INTERVAL_S}s }`, '{ target: portal-top }');
  const samples: number[] = [];
  const waits: number[] = [];
  const pipeline: number[] = [];
  try {
    await sleep(3000);
    for (let run = 0; run < RUNS; run++) {
      await sleep(Math.random() * INTERVAL_S * 1000);
      const firingBefore = smtp.mails.filter((m) => m.subject.includes('発生')).length;
      target.setDelay(6000);
      const switched = Date.now();
      await smtp.waitFor(() => smtp.mails.filter((m) => m.subject.includes('発生')).length > firingBefore, 40_000, `the firing mail of run ${run + 1}`);
      const mail = smtp.mails.filter((m) => m.subject.includes('発生'))[firingBefore]!;
      samples.push(mail.at - switched);
      // Split into the wait for the next probe (physics) and the probe's start to the mail (Mimamori).
      const probeStart = target.requests.find((t) => t >= switched) ?? switched;
      waits.push(probeStart - switched);
      pipeline.push(mail.at - probeStart);
      process.stderr.write(`run ${run + 1}/${RUNS}: ${((mail.at - switched) / 1000).toFixed(2)} s (next probe after ${((probeStart - switched) / 1000).toFixed(2)} s, probe start to mail ${((mail.at - probeStart) / 1000).toFixed(2)} s)\n`);
      const resolvedBefore = smtp.mails.filter((m) => m.subject.includes('復旧')).length;
      target.setDelay(0);
      await smtp.waitFor(() => smtp.mails.filter((m) => m.subject.includes('復旧')).length > resolvedBefore, 40_000, `the resolved mail of run ${run + 1}`);
    }
  } finally {
    await stop();
    await target.stop();
  }
  const s = (ms: number) => +(ms / 1000).toFixed(2);
  console.log(JSON.stringify({ bench: 'alert-e2e', runs: RUNS, probe_interval_s: INTERVAL_S, switch_to_mail_p50_s: s(percentile(samples, 50)), switch_to_mail_p95_s: s(percentile(samples, 95)), min_s: s(Math.min(...samples)), max_s: s(Math.max(...samples)), wait_for_probe_p50_s: s(percentile(waits, 50)), probe_start_to_mail_p50_s: s(percentile(pipeline, 50)), probe_start_to_mail_p95_s: s(percentile(pipeline, 95)) }));
}

await main();
