import { afterAll, describe, expect, it } from 'vitest';
import { openTestRuntime, tempDir, type TestRuntime } from '../../test/helpers/runtime.ts';
import { SmtpSink } from '../../test/helpers/smtp-sink.ts';

/** A mail that could not be sent before the server stopped is sent after it starts again, once. */
describe('the notification log across a restart', () => {
  const smtp = new SmtpSink();
  let rt: TestRuntime | undefined;
  afterAll(async () => {
    await rt?.close();
    await smtp.stop();
  });

  it('resends a queued mail after a restart and never twice', async () => {
    await smtp.start();
    const url = smtp.url;
    await smtp.stop(); // the mail server is down when the alert fires
    const dataDir = tempDir();
    const yaml = `
environments: [production]
agent: { enabled: false }
rules: [{ name: slow, kind: response_time, severity: critical }]
notify:
  smtp: { url_env: SMTP_URL }
  recipients: [{ name: operators, email: [ops@example.jp] }]
`;
    const env = { SMTP_URL: url };
    rt = await openTestRuntime({ dataDir, yaml, env });
    const res = await rt.app.inject({ method: 'POST', url: '/api/v1/ingest/probes', headers: rt.auth, payload: [{ timestamp: Date.now(), environment: 'production', target: 'portal', ok: true, total_ms: 6500 }] });
    expect(res.statusCode).toBe(200);
    for (let i = 0; i < 50 && (rt.alerting.deliveries.pendingCount() === 0 || !(await failedOnce(rt))); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await failedOnce(rt)).toBe(true);
    await rt.close();

    await smtp.start();
    rt = await openTestRuntime({ dataDir, yaml, env });
    const mail = await smtp.waitFor((m) => m.subject.includes('portal'), 10_000, 'the resent mail');
    expect(mail.subject).toContain('発生');
    await rt.alerting.evaluator.run('all');
    await new Promise((r) => setTimeout(r, 1000));
    expect(smtp.mails).toHaveLength(1);
    const log = (await rt.app.inject({ method: 'GET', headers: rt.admin, url: '/api/v1/notifications' })).json().notifications;
    expect(log.map((n: { status: string }) => n.status)).toEqual(['sent']);
  });
});

async function failedOnce(rt: TestRuntime): Promise<boolean> {
  const log = (await rt.app.inject({ method: 'GET', headers: rt.admin, url: '/api/v1/notifications?status=retry' })).json().notifications;
  return log.length > 0;
}
