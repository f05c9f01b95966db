import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, startServerProcess, waitForExit } from '../helpers/server-process.ts';
import { tempDir } from '../helpers/runtime.ts';
import { SmtpSink } from '../helpers/smtp-sink.ts';
import { SwitchableTarget } from '../helpers/local-servers.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of the API under test
type Json = any;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The contractor's scenario from a fresh `mimamori start` with a config
 * naming a target and an SMTP server: the target starts answering in 6 s,
 * the in-process agent's probe notices, the rule fires, a mail arrives and
 * a ticket is open; the server is killed while the mail server still
 * holds its answer, and restarted while the alert fires; the target
 * recovers → one resolved mail, the ticket stays open.
 */
describe('slow target → mail → ticket, across a server crash', () => {
  it('mails once on firing and once on resolve, and keeps the ticket open for the report', async () => {
    const smtp = new SmtpSink();
    await smtp.start();
    const target = new SwitchableTarget();
    const url = await target.start();
    const dataDir = tempDir();
    const port = await freePort();
    const configFile = path.join(dataDir, 'mimamori.yaml');
    fs.writeFileSync(configFile, `
environments: [production, staging]
agent: { environment: production }
public_url: http://127.0.0.1:${port}
targets:
  - { name: portal-top, url: "${url}", interval: 2s, expect: { contains: "財団" } }
rules:
  - { name: response-over-5s, kind: response_time, threshold_ms: 5000, severity: critical, match: { target: portal-top } }
notify:
  smtp: { url_env: MIMAMORI_SMTP_URL, from: "Mimamori <mimamori@example.jp>" }
  group_interval: 2s
  recipients:
    - { name: operators, email: [ops@example.jp], language: ja }
`);
    const env = { MIMAMORI_DATA: dataDir, MIMAMORI_CONFIG: configFile, MIMAMORI_SMTP_URL: smtp.url, LOG_LEVEL: process.env.DEBUG_LOG ?? 'warn' };
    let server = await startServerProcess(env, 30_000, port);
    try {
      await sleep(2500);
      target.setDelay(6000);
      smtp.acceptDelayMs = 10_000;
      const firing = await smtp.waitFor((m) => m.subject.includes('発生'), 20_000, 'the firing mail');
      expect(firing.subject).toContain('[本番]');
      expect(firing.subject).toContain('portal-top');
      expect(firing.to).toEqual(['ops@example.jp']);
      // Sent at the 5 s crossing, while the probe still waits for its 6 s answer.
      const slowProbeStart = target.requests.find((t) => t >= target.switchedAt)!;
      expect(firing.at - slowProbeStart).toBeGreaterThanOrEqual(5000);
      expect(firing.at - slowProbeStart, server.output().slice(-3000)).toBeLessThan(6000);
      const tickets = (await server.get('/api/v1/tickets')) as Json;
      expect(tickets.total).toBe(1);
      const ticket = tickets.tickets[0];
      expect(ticket.status).toBe('open');
      expect(firing.subject).toContain(ticket.number);
      expect(firing.text).toContain(`/incidents/${ticket.number}`);
      // What the target answered lately, from the real probes; no environment-wide log lines.
      expect(firing.text).toMatch(/■ この監視対象の直近の計測 \(\d 件、新しい順\)\n.* JST {2}成功 {2}HTTP 200 {2}[\d.]+ ms/);
      expect(firing.text).not.toContain('直近のログ');

      // Crash while firing, after the mail server took the mail but before it answered, so the
      // `sent` row was never written: after the restart the mail goes again with the same
      // Message-ID (docs/ARCHITECTURE.md), which mail systems fold; no second notification.
      server.child.kill('SIGKILL');
      await waitForExit(server.child);
      smtp.acceptDelayMs = 0;
      server = await startServerProcess(env, 30_000, port);
      await smtp.waitFor((m) => m !== firing && m.subject === firing.subject, 10_000, 'the resent firing mail');
      await sleep(3000);
      const firingMails = smtp.mails.filter((m) => m.subject.includes('発生'));
      expect(firingMails.map((m) => m.messageId), JSON.stringify(smtp.mails.map((m) => [m.subject, m.messageId]))).toEqual([firing.messageId, firing.messageId]);
      expect(firing.messageId).toMatch(/^<.+@mimamori>$/);
      const notifications = () => [...new Map(smtp.mails.map((m) => [m.messageId, m])).values()];

      target.setDelay(0);
      const resolved = await smtp.waitFor((m) => m.subject.includes('復旧'), 20_000, 'the resolved mail').catch((e) => { throw new Error(e.message + server.output().slice(-5000)); });
      expect(resolved.subject).toContain(ticket.number);
      await sleep(2500);
      expect(notifications().map((m) => m.subject.includes('発生') ? 'firing' : m.subject.includes('復旧') ? 'resolved' : m.subject)).toEqual(['firing', 'resolved']);
      const after = (await server.get(`/api/v1/tickets/${ticket.number}`)) as Json;
      expect(after.status).toBe('open');
      expect(after.events.map((e: Json) => e.type)).toEqual(['opened', 'alert_resolved']);
      expect(after.alertFiring).toBe(false);
    } finally {
      await server.stop();
      await target.stop();
      await smtp.stop();
    }
  });
});
