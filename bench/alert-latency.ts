// Alert latency benchmark (issue 4): 50 breaching probes, one at a time,
// each for its own target, sent to a real server process over loopback;
// measured from the ingest acknowledgement to the moment a real SMTP
// server (in this process) has accepted the alert mail.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { startAlertServer } from './alert-server.ts';
import { percentile } from './stats.ts';

const ALERTS = Number(process.env.BENCH_ALERTS ?? 50);

function post(url: string, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function main() {
  const { server, smtp, dataDir, stop } = await startAlertServer('agent: { enabled: false }');
  const samples: number[] = [];
  try {
    const token = fs.readFileSync(path.join(dataDir, 'ingest-token'), 'utf8').trim();
    for (let i = 0; i < ALERTS; i++) {
      const target = `bench-${i}`;
      const status = await post(`${server.url}/api/v1/ingest/probes`, token, `${JSON.stringify({ timestamp: Date.now(), environment: 'production', target, ok: true, status: 200, total_ms: 6000 + i })}\n`);
      if (status !== 200) throw new Error(`ingest answered ${status}`);
      const acked = Date.now();
      const mail = await smtp.waitFor((m) => m.subject.includes(` ${target} `), 10_000, `the mail for ${target}`);
      samples.push(mail.at - acked);
    }
  } finally {
    await stop();
  }
  console.log(JSON.stringify({ bench: 'alert-latency', alerts: ALERTS, ack_to_mail_p50_ms: percentile(samples, 50), ack_to_mail_p95_ms: percentile(samples, 95), ack_to_mail_max_ms: Math.max(...samples) }));
}

await main();
