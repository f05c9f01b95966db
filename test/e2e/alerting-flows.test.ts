import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { SmtpSink } from '../helpers/smtp-sink.ts';
import { WebhookReceiver } from '../helpers/local-servers.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of the API under test
type Json = any;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The alerting path in one real runtime (real chDB, real SMTP server, real
 * webhook receiver): probe rows go in through the ingest door as an agent
 * sends them, and everything else is observed through mail and the API.
 */
describe('alerting flows', () => {
  const smtp = new SmtpSink();
  const phone = new WebhookReceiver();
  let rt: TestRuntime;
  const keys = { operator: 'operator-key-0123456789', approver: 'approver-key-0123456789' };
  const as = (who: keyof typeof keys) => ({ authorization: `Bearer ${keys[who]}` });

  beforeAll(async () => {
    await smtp.start();
    const hook = await phone.start();
    const yaml = `
environments: [production, staging]
agent: { enabled: false }
evaluation_interval: 1s
api_keys:
  - { actor: 佐藤, role: operator, secret_env: OP_KEY }
  - { actor: foundation-it, role: approver, secret_env: AP_KEY }
rules:
  - { name: slow, kind: response_time, threshold_ms: 5000, severity: critical }
notify:
  smtp: { url_env: SMTP_URL, from: "Mimamori <mimamori@example.jp>" }
  group_interval: 1s
  default_recipients: [operators]
  foundation_recipients: [foundation]
  recipients:
    - { name: operators, email: [ops@example.jp], language: ja }
    - { name: experts-phone, webhook: { url: "${hook}" } }
    - { name: manager, email: [manager@example.jp], language: en }
    - { name: foundation, email: [it@foundation.example.jp], language: ja }
escalation:
  - name: default
    steps:
      - { notify: experts-phone, channel: webhook, wait: 1s }
      - { notify: manager, wait: 2s }
`;
    rt = await openTestRuntime({ yaml, env: { OP_KEY: keys.operator, AP_KEY: keys.approver, SMTP_URL: smtp.url } });
  });
  afterAll(async () => {
    await rt?.close();
    await smtp.stop();
    await phone.stop();
  });

  const probe = async (target: string, totalMs: number, environment = 'production') => {
    const res = await rt.app.inject({ method: 'POST', url: '/api/v1/ingest/probes', headers: rt.auth, payload: [{ timestamp: Date.now(), environment, target, url: `http://${target}/`, ok: true, status: 200, total_ms: totalMs }] });
    expect(res.statusCode).toBe(200);
  };
  const api = async (method: 'GET' | 'POST' | 'PATCH', url: string, headers = {}, payload?: object): Promise<{ status: number; body: Json }> => {
    // Reads need a role: the local admin key, unless the test says otherwise.
    const res = await rt.app.inject({ method, url, headers: { ...(method === 'GET' ? rt.admin : {}), ...headers }, payload });
    return { status: res.statusCode, body: res.json() };
  };
  const ticketFor = async (target: string): Promise<Json> => (await api('GET', '/api/v1/tickets')).body.tickets.find((t: Json) => t.labels?.target === target);

  it('a slow probe fires a mail with the ticket, escalates to the phone webhook, and the mailed link acknowledges', async () => {
    await probe('portal-top', 6012);
    const mail = await smtp.waitFor((m) => m.subject.includes('portal-top') && m.subject.includes('発生'), 10_000, 'the firing mail');
    expect(mail.subject).toContain('[本番]');
    expect(mail.text).toContain('6012');
    expect(mail.text).toContain('5000');
    const ticket = await ticketFor('portal-top');
    expect(ticket.status).toBe('open');
    expect(mail.subject).toContain(ticket.number);
    // The ticket link opens the dashboard's ticket page (a person reads it), not the API's JSON.
    const ticketLink = new RegExp(`https?://\\S+/incidents/${ticket.number}(\\s|$)`).exec(mail.text);
    expect(ticketLink, mail.text).not.toBeNull();
    expect(mail.text).not.toContain('/api/v1/tickets/');

    const hook = await waitUntil(() => phone.hooks.find((h) => (h.body.ticket as Json)?.number === ticket.number), 5000, 'the escalation webhook');
    expect(hook.body.type).toBe('escalation');
    expect(hook.headers['x-mimamori-id']).toBeTruthy();

    const link = /https?:\/\/\S+\/ack\/\S+/.exec(mail.text)![0];
    const ackUrl = link.replace(/^https?:\/\/[^/]+/, '');
    const page = await rt.app.inject({ method: 'GET', url: ackUrl });
    expect(page.statusCode).toBe(200);
    expect((await api('GET', `/api/v1/tickets/${ticket.number}`)).body.status).toBe('open');
    const forged = await rt.app.inject({ method: 'POST', url: ackUrl.replace(/sig=[^&]+/, 'sig=forged'), headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    expect(forged.statusCode).toBe(403);
    const ack = await rt.app.inject({ method: 'POST', url: ackUrl, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    expect(ack.statusCode).toBe(200);
    const acked = (await api('GET', `/api/v1/tickets/${ticket.number}`)).body;
    expect(acked.status).toBe('acknowledged');
    expect(acked.acknowledgedBy).toBe('mail:operators');
    expect(acked.mtta_ms).toBeGreaterThan(0);

    // The manager step (due 3 s after opening) must not fire once acknowledged.
    await sleep(3500);
    expect(smtp.mails.filter((m) => m.to.includes('manager@example.jp'))).toHaveLength(0);
    expect((await api('POST', `/api/v1/tickets/${ticket.number}/acknowledge`, as('operator'))).status).toBe(409);

    await probe('portal-top', 120);
    const resolved = await smtp.waitFor((m) => m.subject.includes('portal-top') && m.subject.includes('復旧'), 10_000, 'the resolved mail');
    expect(resolved.subject).toContain('[本番]');
    expect((await api('GET', `/api/v1/tickets/${ticket.number}`)).body.status).toBe('acknowledged');
    expect(smtp.mails.filter((m) => m.subject.includes('portal-top') && m.subject.includes('発生'))).toHaveLength(1);
  });

  it('an unacknowledged ticket walks the whole chain: phone webhook, then the manager mail in English', async () => {
    await probe('search', 7000, 'staging');
    const ticket = await waitUntil(async () => ticketFor('search'), 5000, 'the ticket');
    const mail = await smtp.waitFor((m) => m.to.includes('manager@example.jp'), 8000, 'the manager mail');
    expect(mail.subject).toContain(ticket.number);
    expect(mail.subject).not.toContain('本番');
    const events = (await api('GET', `/api/v1/tickets/${ticket.number}`)).body.events.filter((e: Json) => e.type === 'escalated');
    expect(events.map((e: Json) => e.data.step)).toEqual([0, 1]);
  });

  it('during a maintenance window: no mail, no ticket, the suppression is recorded', async () => {
    const window = await api('POST', '/api/v1/maintenance', as('operator'), { name: 'db upgrade', start: Date.now() - 1000, end: Date.now() + 600_000, environments: ['production'], targets: ['billing'] });
    expect(window.status).toBe(201);
    const page = await rt.app.inject({ method: 'GET', url: '/maintenance?target=billing&environment=production' });
    expect(page.statusCode).toBe(503);
    await probe('billing', 8000);
    const suppressed = await waitUntil(async () => (await api('GET', '/api/v1/notifications?status=suppressed')).body.notifications.find((n: Json) => n.group.startsWith('slow|production')), 5000, 'the suppression record');
    expect(suppressed.reason).toContain('maintenance');
    await sleep(1500);
    expect(smtp.mails.filter((m) => m.subject.includes('billing'))).toHaveLength(0);
    expect(await ticketFor('billing')).toBeUndefined();
    expect((await api('GET', '/api/v1/alerts')).body.alerts.some((a: Json) => a.labels.target === 'billing' && a.state === 'firing')).toBe(true);
  });

  it('a silence holds back matching alerts with its id as the reason; a misspelt matcher is refused', async () => {
    const typo = await api('POST', '/api/v1/silences', as('operator'), { matchers: { enviroment: 'production' }, ends_at: Date.now() + 60_000, comment: 'x' });
    expect(typo.status).toBe(400);
    expect(typo.body.details[0].field).toContain('matchers');
    const silence = await api('POST', '/api/v1/silences', as('operator'), { matchers: { rule: 'slow', target: 'cdn' }, ends_at: Date.now() + 600_000, comment: 'CDN 切替作業中' });
    expect(silence.status).toBe(201);
    expect(silence.body.createdBy).toBe('佐藤');
    await probe('cdn', 9000);
    const held = await waitUntil(async () => (await api('GET', '/api/v1/notifications?status=suppressed')).body.notifications.find((n: Json) => n.reason === `silence:${silence.body.id}`), 5000, 'the silence record');
    expect(held.recipient).toBe('operators');
    await sleep(1000);
    expect(smtp.mails.filter((m) => m.subject.includes('cdn'))).toHaveLength(0);
  });

  it('workarounds: unapproved → 409, approval needs the approver role, before and after are reported to the foundation', async () => {
    const { number } = await ticketFor('portal-top');
    const created = await api('POST', '/api/v1/workarounds', as('operator'), { title: 'API ワーカー再起動', steps: ['systemctl restart api-worker', '応答時間を確認'], applies_to: { rules: ['slow'] } });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const refused = await api('POST', `/api/v1/tickets/${number}/workarounds/${id}/apply`, as('operator'), { phase: 'about_to_execute' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('workaround_not_approved');
    expect(refused.body.message).toContain('not approved');
    expect((await api('POST', `/api/v1/workarounds/${id}/approve`, as('operator'), { version: 1 })).status).toBe(403);
    expect((await api('POST', `/api/v1/workarounds/${id}/approve`, {}, { version: 1 })).status).toBe(401);
    expect((await api('POST', `/api/v1/workarounds/${id}/approve`, as('approver'), { version: 1 })).status).toBe(200);
    expect((await api('POST', `/api/v1/tickets/${number}/workarounds/${id}/apply`, as('operator'), { phase: 'executed' })).status).toBe(409);
    expect((await api('POST', `/api/v1/tickets/${number}/workarounds/${id}/apply`, as('operator'), { phase: 'about_to_execute' })).status).toBe(200);
    await smtp.waitFor((m) => m.to.includes('it@foundation.example.jp') && m.subject.includes('実行します'), 5000, 'the before-report');
    const done = await api('POST', `/api/v1/tickets/${number}/workarounds/${id}/apply`, as('operator'), { phase: 'executed', note: '再起動完了' });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('workaround_applied');
    await smtp.waitFor((m) => m.to.includes('it@foundation.example.jp') && m.subject.includes('実行しました'), 5000, 'the after-report');
    const phases = done.body.events.filter((e: Json) => e.type === 'workaround').map((e: Json) => `${e.actor}:${e.data.phase}`);
    expect(phases).toEqual(['佐藤:about_to_execute', '佐藤:executed']);
  });

  it('closing needs the five report fields, root cause and warranty decision', async () => {
    const { number } = await ticketFor('portal-top');
    expect((await api('POST', `/api/v1/tickets/${number}/status`, as('operator'), { status: 'resolved' })).status).toBe(200);
    const refused = await api('POST', `/api/v1/tickets/${number}/close`, as('operator'), { report: { event: '応答遅延' } });
    expect(refused.status).toBe(400);
    expect(refused.body.details.map((d: Json) => d.field)).toEqual(['cause', 'impact', 'interim_fix', 'permanent_fix', 'root_cause_category', 'warranty_defect']);
    expect((await api('GET', `/api/v1/tickets/${number}`)).body.report).toEqual({});
    const report = { event: '応答遅延', cause: 'ワーカー枯渇', impact: '10 分間 6 秒応答', interim_fix: '再起動', permanent_fix: 'プール拡張' };
    const closed = await api('POST', `/api/v1/tickets/${number}/close`, as('operator'), { report, root_cause_category: 'capacity', warranty_defect: 'not_a_warranty_defect' });
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('closed');
    expect(closed.body.closedBy).toBe('佐藤');
    expect(closed.body.mttr_ms).toBeGreaterThan(0);
  });

  it('an inquiry by phone is opened by hand; a security incident also needs spread and recurrence prevention', async () => {
    const opened = await api('POST', '/api/v1/tickets', as('operator'), { type: 'security', title: '不審なログイン', environment: 'production', channel: 'phone', reported_by: '財団 田中様' });
    expect(opened.status).toBe(201);
    expect(opened.body.number).toMatch(/^INC-\d{4}-\d{4}$/);
    expect(opened.body.openedBy).toBe('佐藤');
    expect(opened.body).toMatchObject({ reportedBy: '財団 田中様', channel: 'phone' });
    const openedEvent = opened.body.events[0].data;
    expect([openedEvent.reported_by, 'reportedBy' in openedEvent]).toEqual(['財団 田中様', false]); // stored once, under one name
    const refused = await api('POST', `/api/v1/tickets/${opened.body.number}/close`, as('operator'), { report: { event: 'a', cause: 'b', impact: 'c', interim_fix: 'd', permanent_fix: 'e' }, root_cause_category: 'security', warranty_defect: 'not_a_warranty_defect' });
    expect(refused.status).toBe(400);
    expect(refused.body.details.map((d: Json) => d.field)).toEqual(['spread_prevention', 'recurrence_prevention']);
    expect((await api('POST', '/api/v1/tickets', {}, { title: 'x', environment: 'production' })).status).toBe(401);
    const bad = await api('POST', '/api/v1/tickets', as('operator'), { title: '', environment: 'production' });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe('body.title');
  });

  it('SMTP down: the mail is retried and delivered once the server is back', async () => {
    await smtp.stop();
    await probe('news', 9000);
    await waitUntil(async () => (await api('GET', '/api/v1/notifications?status=retry')).body.notifications.find((n: Json) => n.group === 'slow|production' && n.subject.includes('news')), 8000, 'a retry record');
    await smtp.start();
    const mail = await smtp.waitFor((m) => m.subject.includes('news'), 20_000, 'the retried mail');
    expect(mail.subject).toContain('発生');
    await sleep(1000);
    expect(smtp.mails.filter((m) => m.subject.includes('news') && m.subject.includes('発生'))).toHaveLength(1);
    expect(fs.existsSync(path.join(rt.dataDir, 'outbox'))).toBe(false);
  });
});

async function waitUntil<T>(read: () => T | Promise<T>, timeoutMs: number, what: string): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
