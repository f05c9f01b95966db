import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../../test/helpers/runtime.ts';
import { PatternMiner } from '../patterns/miner.ts';
import type { IncidentLink } from './suggest.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of the API under test
type Json = any;

// A payment incident as people handle it: error lines go in through the ingest door and are mined (the test's own
// miner, settleMs 0); tickets are opened, worked and closed through the API; the clock moves only when the test says.
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T1 = Math.floor((Date.now() - 4 * HOUR) / MINUTE) * MINUTE + 30_000; // the first ticket is opened
const T2 = T1 + 2 * HOUR; // the second, when the payment errors come back
const T3 = T2 + HOUR; // a third, around which nothing unusual happened
let clock = T1;
const keys = { operator: 'operator-key-0123456789', approver: 'approver-key-0123456789' };
const yaml = `agent: { enabled: false }
rules: []
patterns: { enabled: false }
api_keys:
  - { actor: 佐藤, role: operator, secret_env: OP_KEY }
  - { actor: foundation-it, role: approver, secret_env: AP_KEY }
`;
const open = (dataDir?: string) => openTestRuntime({ yaml, env: { OP_KEY: keys.operator, AP_KEY: keys.approver }, now: () => clock, ...(dataDir ? { dataDir } : {}) });

let rt: TestRuntime;
let miner: PatternMiner;

async function ingest(lines: { at: number; message: string }[]) {
  const body = lines.map((l) => JSON.stringify({ timestamp: l.at, environment: 'production', host: 'ap-1', service: 'payments', level: 'error', message: l.message })).join('\n');
  const res = await rt.app.inject({ method: 'POST', url: '/api/v1/ingest/logs', headers: { ...rt.auth, 'content-type': 'application/x-ndjson' }, payload: body });
  expect(res.statusCode, res.body).toBe(200);
  await rt.writer.flush();
}
/** The distinctive error of the incident: `count` lines from 20 minutes before `at`, 15 s apart. */
const burst = (at: number, count: number) => Array.from({ length: count }, (_, i) => ({ at: at - 20 * MINUTE + i * 15_000, message: `payment gateway refused card ending ${1000 + i * 7}: code ${50 + (i % 3)}` }));

async function call(method: 'GET' | 'POST' | 'PUT', url: string, who: 'operator' | 'approver' | 'admin', payload?: object): Promise<Json> {
  clock += 1000; // every step a second later: events of one thing never share a time
  const res = await rt.app.inject({ method, url, headers: who === 'admin' ? rt.admin : { authorization: `Bearer ${keys[who]}` }, payload });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.json();
}
const openTicket = async (title: string) => (await call('POST', '/api/v1/tickets', 'operator', { type: 'incident', title, environment: 'production' })).number as string;
const report = { event: '決済が失敗', cause: '決済代行会社の API 障害でカード決済が拒否された', impact: '20 分間カード決済不可', interim_fix: '決済ワーカー再起動', permanent_fix: '代行会社の冗長化' };
const closeBody = { report, root_cause_category: 'external', warranty_defect: 'not_a_warranty_defect' };
const linksOf = (number: string) => rt.known.all().filter((l) => l.ticket === number);
async function waitForLinks(number: string): Promise<IncidentLink[]> {
  for (let i = 0; i < 200 && linksOf(number).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  return linksOf(number);
}
/** Closes through the API with the ledger's listeners deaf: as if the process stopped between the close and its links. */
async function closeUnheard(number: string) {
  const listener = rt.alerting.ledger.onChange;
  rt.alerting.ledger.onChange = () => undefined;
  try {
    await call('POST', `/api/v1/tickets/${number}/close`, 'operator', closeBody);
  } finally {
    rt.alerting.ledger.onChange = listener;
  }
}
const patternsAround = async (at: number): Promise<Json[]> =>
  (await call('GET', `/api/v1/patterns?environment=production&service=payments&from=${new Date(at - 30 * MINUTE).toISOString()}&to=${new Date(at).toISOString()}`, 'admin')).patterns;

let ticket1: string;
let ticket2: string;
let workaround: string;
let payment: { id: string; template: string; count: number };
let steady: { id: string; template: string; count: number };

beforeAll(async () => {
  rt = await open();
  miner = PatternMiner.open(rt.storage, rt.dataDir, { settleMs: 0, batchLines: 1000, intervalMs: 1000, now: () => clock });
  // A harmless error every 10 minutes, from a day before the first ticket until the third: always there, never unusual.
  const steadyLines = Array.from({ length: Math.floor((T3 - (T1 - 26 * HOUR)) / (10 * MINUTE)) + 1 }, (_, k) => ({ at: T1 - 26 * HOUR + k * 10 * MINUTE, message: `cache refresh failed on shard ${k % 8} after ${k} retries` }));
  await ingest([...steadyLines, ...burst(T1, 40)]);
  expect(await miner.catchUp()).toBe(steadyLines.length + 40);
}, 60_000);
afterAll(async () => rt?.close());

describe('known incidents (issue 18, item 6)', () => {
  it('links a closed ticket to the unusual error pattern around its detection, not to the steady one', async () => {
    const around = await patternsAround(T1);
    payment = around.find((p: Json) => p.template.startsWith('payment gateway'));
    steady = around.find((p: Json) => p.template.startsWith('cache refresh'));
    expect(payment.template).toBe('payment gateway refused card ending <NUM>: code <NUM>');
    expect(payment.count).toBe(40);
    expect(steady.count).toBeGreaterThan(0); // the steady pattern was there too, at its usual rate

    ticket1 = await openTicket('カード決済エラー多発');
    workaround = (await call('POST', '/api/v1/workarounds', 'operator', { title: '決済ワーカー再起動', steps: ['systemctl restart payment-worker', '決済を 1 件試す'] })).id;
    await call('POST', `/api/v1/workarounds/${workaround}/approve`, 'approver', { version: 1 });
    await call('POST', `/api/v1/tickets/${ticket1}/workarounds/${workaround}/apply`, 'operator', { phase: 'about_to_execute' });
    await call('POST', `/api/v1/tickets/${ticket1}/workarounds/${workaround}/apply`, 'operator', { phase: 'executed' });
    const closed = await call('POST', `/api/v1/tickets/${ticket1}/close`, 'operator', closeBody);
    expect(closed.status).toBe('closed');

    const links = await waitForLinks(ticket1);
    expect(links.map((l) => [l.kind, l.key, l.service, l.label, l.count])).toEqual([
      ['closed', '', '', '', 0],
      ['pattern', payment.id, 'payments', payment.template, 40],
    ]);
    expect(links.some((l) => l.key === steady.id)).toBe(false);
    for (const l of links) {
      expect(l).toMatchObject({ origin: '', environment: 'production', linked_by: '佐藤', linked_at: closed.closedAt });
      expect(l.summary).toEqual({
        title: 'カード決済エラー多発', root_cause_category: 'external', cause: report.cause, interim_fix: report.interim_fix, permanent_fix: report.permanent_fix,
        workarounds: [{ id: workaround, version: 1 }], opened_at: closed.openedAt, closed_at: closed.closedAt,
      });
    }
  });

  it('suggests the earlier ticket when its pattern comes back, with why, its root cause and the approved workaround', async () => {
    clock = T2;
    await ingest(burst(T2, 30));
    expect(await miner.catchUp()).toBe(30);
    ticket2 = await openTicket('決済できないとの問い合わせ');
    const got = await call('GET', `/api/v1/tickets/${ticket2}/suggestions`, 'admin');
    expect(got.ticket).toBe(ticket2);
    expect(got.evidence).toEqual({ alerts: [], patterns: [{ id: payment.id, service: 'payments', template: payment.template, count: 30 }] });
    expect(got.suggestions.map((s: Json) => [s.ticket, s.score])).toEqual([[ticket1, 1]]);
    const [first] = got.suggestions;
    expect(first.reasons).toEqual([{ kind: 'pattern', id: payment.id, service: 'payments', template: payment.template, count_then: 40, count_now: 30, tickets: 1, of: 1 }]);
    expect(first.summary).toMatchObject({ title: 'カード決済エラー多発', root_cause_category: 'external', cause: report.cause, permanent_fix: report.permanent_fix });
    expect(first.workarounds).toEqual([{ id: workaround, applied_version: 1, title: '決済ワーカー再起動', approved_version: 1, offer: true }]);
  });

  it('stops offering a revoked workaround, and offers the newest approved version again', async () => {
    const suggested = async () => (await call('GET', `/api/v1/tickets/${ticket2}/suggestions`, 'admin')).suggestions[0].workarounds;
    await call('POST', `/api/v1/workarounds/${workaround}/revoke`, 'approver', { version: 1 });
    expect(await suggested()).toEqual([{ id: workaround, applied_version: 1, title: '決済ワーカー再起動', offer: false, reason: 'not_approved' }]);
    await call('PUT', `/api/v1/workarounds/${workaround}`, 'operator', { title: '決済ワーカー再起動 (接続確認つき)', steps: ['systemctl restart payment-worker', '代行会社への疎通を確認'] });
    expect((await suggested())[0]).toMatchObject({ offer: false, reason: 'not_approved' });
    await call('POST', `/api/v1/workarounds/${workaround}/approve`, 'approver', { version: 2 });
    expect(await suggested()).toEqual([{ id: workaround, applied_version: 1, title: '決済ワーカー再起動 (接続確認つき)', approved_version: 2, offer: true }]);
  });

  it('reconcile links a closed ticket whose links were never written, once', async () => {
    await closeUnheard(ticket2);
    await new Promise((r) => setTimeout(r, 200));
    expect(linksOf(ticket2)).toEqual([]);
    expect(await rt.known.reconcile()).toBe(1);
    expect(linksOf(ticket2).map((l) => [l.kind, l.key, l.count, l.linked_by])).toEqual([['closed', '', 0, '佐藤'], ['pattern', payment.id, 30, '佐藤']]);
    expect(await rt.known.reconcile()).toBe(0);
    // Linking a linked ticket again (a second close event, a reconcile racing the listener) adds nothing.
    const first = linksOf(ticket1);
    await rt.known.link(rt.alerting.ledger.get(ticket1), 'someone');
    await rt.known.link(rt.alerting.ledger.get(ticket2), 'someone');
    expect([linksOf(ticket1), linksOf(ticket2).length]).toEqual([first, 2]);
  });

  it('keeps the links across a restart, and links at start a close the process did not get to', async () => {
    clock = T3;
    const ticket3 = await openTicket('画面が遅いとの問い合わせ');
    await closeUnheard(ticket3);
    const byKey = (a: IncidentLink, b: IncidentLink) => `${a.ticket} ${a.kind} ${a.key}`.localeCompare(`${b.ticket} ${b.kind} ${b.key}`);
    const before = [...rt.known.all()].sort(byKey);
    expect(new Set(before.map((l) => l.ticket))).toEqual(new Set([ticket1, ticket2]));
    const { dataDir } = rt;
    await rt.close();
    rt = await open(dataDir);
    // Nothing unusual around the third ticket: only its marker, so it is not linked again at the next start.
    expect((await waitForLinks(ticket3)).map((l) => [l.kind, l.key])).toEqual([['closed', '']]);
    expect(rt.known.all().filter((l) => l.ticket !== ticket3).sort(byKey)).toEqual(before);
    expect(await rt.known.reconcile()).toBe(0);
    // The second ticket, closed now, is still offered the first (never itself); the third counts among the tickets linked.
    const got = await call('GET', `/api/v1/tickets/${ticket2}/suggestions`, 'admin');
    expect(got.suggestions.map((s: Json) => [s.ticket, s.score, s.reasons.map((r: Json) => [r.id, r.tickets, r.of])])).toEqual([[ticket1, 1, [[payment.id, 1, 2]]]]);
  });
});
