import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openTestRuntime, tempDir, type TestRuntime } from '../../test/helpers/runtime.ts';
import { sql } from '../storage/sql.ts';

// Four-eyes requests (item 16) on the real engine, through the HTTP API.
// chDB opens one data directory per process: each test closes the runtime before it.

let current: TestRuntime | undefined;
afterAll(async () => current?.close());
async function runtime(options: { dataDir?: string; yaml?: string; now?: () => number } = {}): Promise<TestRuntime> {
  await current?.close();
  current = await openTestRuntime({ dataDir: options.dataDir ?? tempDir(), yaml: `agent: { enabled: false }\n${options.yaml ?? ''}`, now: options.now });
  return current;
}

const PASSWORD = 'V!olet-Harb0ur-91';
/** People with roles and personal tokens, so each request names who acts. */
async function people(rt: TestRuntime) {
  const bearer: Record<string, { authorization: string }> = {};
  for (const [id, role] of [['op1', 'operator'], ['op2', 'operator'], ['appr', 'approver'], ['boss', 'admin']] as const) {
    await rt.accounts.accounts.create(id, { displayName: id }, role, PASSWORD, { name: 'test', role: 'admin' }, { lang: 'en', mustChangePassword: false });
    bearer[id] = { authorization: `Bearer ${(await rt.accounts.tokens.create('personal', id, id, role, 'test')).token}` };
  }
  return bearer;
}
const call = (rt: TestRuntime, method: string, url: string, headers: Record<string, string>, payload?: object) => rt.app.inject({ method: method as 'POST', url, headers, payload });

describe('four-eyes requests', () => {
  it('an export runs only after someone else approves; the requester and an operator cannot; it runs once and its file is downloaded by the two of them, each download audited', async () => {
    const rt = await runtime();
    const as = await people(rt);
    const now = Date.now();
    await call(rt, 'POST', '/api/v1/ingest/logs', rt.auth, [{ timestamp: now, environment: 'production', service: 'web', message: '日本語のログ, "quoted"' }]);
    await rt.writer.flush();
    const made = await call(rt, 'POST', '/api/v1/requests', as.op1!, { operation: 'export.telemetry', params: { kind: 'logs', from: String(now - 60_000), to: String(now + 60_000) }, reason: 'the foundation asked for last hour’s logs' });
    expect(made.statusCode).toBe(201);
    const id = made.json().id as string;
    expect(made.json()).toMatchObject({ state: 'pending', requester: { name: 'op1' } });
    expect(fs.existsSync(path.join(rt.dataDir, 'exports', id))).toBe(false);
    expect((await call(rt, 'POST', `/api/v1/requests/${id}/approve`, as.op1!)).statusCode).toBe(403); // an operator, and the requester
    expect((await call(rt, 'POST', `/api/v1/requests/${id}/approve`, as.op2!)).statusCode).toBe(403); // an operator
    const approved = await call(rt, 'POST', `/api/v1/requests/${id}/approve`, as.appr!);
    expect(approved.json()).toMatchObject({ state: 'ran', decided_by: { name: 'appr' }, result: { files: ['logs.csv'], summary: '1 logs rows' } });
    expect((await call(rt, 'POST', `/api/v1/requests/${id}/approve`, as.boss!)).statusCode).toBe(409); // runs once
    const file = await call(rt, 'GET', `/api/v1/requests/${id}/files/logs.csv`, as.op1!);
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf])); // UTF-8 with BOM
    expect(file.body).toContain('日本語のログ');
    expect((await call(rt, 'GET', `/api/v1/requests/${id}/files/logs.csv`, as.appr!)).statusCode).toBe(200);
    expect((await call(rt, 'GET', `/api/v1/requests/${id}/files/logs.csv`, as.op2!)).statusCode).toBe(403); // neither requester nor approver
    await rt.trail.flush();
    const audit = await rt.storage.query<{ actor: string; action: string; result: string; detail: string }>(sql`SELECT actor, action, result, detail FROM audit_log WHERE action LIKE '%requests%' ORDER BY seq`);
    expect(audit.map((a) => [a.actor, a.action.split(' ')[0], a.result])).toEqual([
      ['op1', 'POST', 'ok'], ['op1', 'POST', 'refused'], ['op2', 'POST', 'refused'], ['appr', 'POST', 'ok'], ['boss', 'POST', 'refused'], ['op1', 'GET', 'ok'], ['appr', 'GET', 'ok'], ['op2', 'GET', 'refused'],
    ]);
    expect(audit[3]!.detail).toBe('export.telemetry: ran (1 logs rows)');
  });

  it('a rejected or expired request never runs; the requester may withdraw their own', async () => {
    let clock = Date.now();
    const rt = await runtime({ now: () => clock });
    const as = await people(rt);
    const ask = async (who: { authorization: string }) => (await call(rt, 'POST', '/api/v1/requests', who, { operation: 'purge.telemetry', params: { kind: 'logs', from: '2020-01-01T00:00:00Z', to: '2020-02-01T00:00:00Z' }, reason: 'old test data' })).json().id as string;
    // Deleting an account is for an administrator to ask (and someone else to approve).
    const deletion = await call(rt, 'POST', '/api/v1/requests', as.op1!, { operation: 'account.delete', params: { id: 'op2' }, reason: 'left' });
    expect(deletion.statusCode).toBe(403);
    expect(deletion.json().message).toBe('account.delete is asked for by admin');
    const rejected = await ask(as.op1!);
    expect((await call(rt, 'POST', `/api/v1/requests/${rejected}/reject`, as.appr!, { reason: 'not now' })).json().state).toBe('rejected');
    expect((await call(rt, 'POST', `/api/v1/requests/${rejected}/approve`, as.boss!)).statusCode).toBe(409);
    const withdrawn = await ask(as.op1!);
    expect((await call(rt, 'POST', `/api/v1/requests/${withdrawn}/reject`, as.op1!, { reason: 'asked by mistake' })).json()).toMatchObject({ state: 'rejected', decided_by: { name: 'op1' } });
    const expired = await ask(as.op1!);
    clock += 8 * 86_400_000;
    const late = await call(rt, 'POST', `/api/v1/requests/${expired}/approve`, as.appr!);
    expect(late.statusCode).toBe(409);
    await rt.approvals.requests.sweep();
    expect(rt.approvals.requests.get(expired).state).toBe('expired');
    const events = await rt.storage.query<{ id: string; event: string }>(sql`SELECT id, event FROM request_events WHERE event = 'ran'`);
    expect(events).toEqual([]);
  });

  it('an approved purge deletes exactly its rows; the ledger export holds the tickets of its range', async () => {
    const rt = await runtime();
    const as = await people(rt);
    const now = Date.now();
    const line = (environment: string, ago: number, message: string) => ({ timestamp: now - ago, environment, service: 'web', message });
    await call(rt, 'POST', '/api/v1/ingest/logs', rt.auth, [line('staging', 7_200_000, 'old staging'), line('production', 7_200_000, 'old production'), line('staging', 60_000, 'recent staging')]);
    await rt.writer.flush();
    const purge = (await call(rt, 'POST', '/api/v1/requests', as.op1!, { operation: 'purge.telemetry', params: { kind: 'logs', environment: 'staging', from: String(now - 10_800_000), to: String(now - 3_600_000) }, reason: 'test data on staging' })).json();
    expect(purge.description.ja).toContain('ログの生データ');
    const messages = async () => (await rt.storage.query<{ message: string }>(sql`SELECT message FROM logs ORDER BY message`)).map((r) => r.message);
    expect(await messages()).toEqual(['old production', 'old staging', 'recent staging']); // nothing before approval
    expect((await call(rt, 'POST', `/api/v1/requests/${purge.id}/approve`, as.boss!)).json()).toMatchObject({ state: 'ran', result: { summary: 'deleted 1 logs rows' } });
    expect(await messages()).toEqual(['old production', 'recent staging']);

    const ticket = (await call(rt, 'POST', '/api/v1/tickets', as.op2!, { type: 'security', environment: 'production', title: '不審なログイン' })).json();
    const ledger = (await call(rt, 'POST', '/api/v1/requests', as.op2!, { operation: 'export.ledger', params: { to: String(Date.now() + 60_000) }, reason: 'annual review' })).json();
    expect((await call(rt, 'POST', `/api/v1/requests/${ledger.id}/approve`, as.appr!)).json().state).toBe('ran');
    const csv = (await call(rt, 'GET', `/api/v1/requests/${ledger.id}/files/ledger.csv`, as.op2!)).body;
    expect(csv).toContain(ticket.number);
    expect(csv).toContain('不審なログイン');
  });

  it('a long operation answers "approved" and goes on in the background until it ran; it runs once', async () => {
    const rt = await runtime();
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let runs = 0;
    rt.approvals.operations.register({
      name: 'test.slow', title: { ja: '遅い処理', en: 'A slow operation' }, fields: [], validate: () => ({}), describe: () => ({ ja: 'テストを待つ', en: 'waits for the test' }),
      run: async () => { runs++; await gate; return { files: [], summary: 'done' }; },
    });
    const made = await rt.approvals.requests.create('test.slow', {}, 'a long export', { name: 'op1', role: 'operator' });
    const answered = await rt.approvals.requests.approve(made.id, { name: 'appr', role: 'approver' }, 50);
    expect(answered.state).toBe('approved');
    await expect(rt.approvals.requests.approve(made.id, { name: 'boss', role: 'admin' }, 50)).rejects.toThrow(/is approved, not waiting/);
    release();
    await expect.poll(() => rt.approvals.requests.get(made.id).state).toBe('ran');
    expect(rt.approvals.requests.get(made.id).result?.summary).toBe('done');
    expect(runs).toBe(1);
  });

  it('a configuration that shortens retention keeps the old TTL and asks for approval; approved, the new TTL applies', async () => {
    const dataDir = tempDir();
    await runtime({ dataDir, yaml: 'retention: { logs: 90d }\n' });
    const rt = await runtime({ dataDir, yaml: 'retention: { logs: 30d }\n' });
    const ttl = async () => /toIntervalDay\((\d+)\)/.exec((await rt.storage.query<{ q: string }>(sql`SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = 'logs'`))[0]!.q)?.[1];
    expect(await ttl()).toBe('90');
    const [request] = rt.approvals.requests.list();
    expect(request).toMatchObject({ operation: 'retention.shorten', state: 'pending', requester: { name: 'mimamori', role: 'system' }, params: { table: 'logs', fromDays: 90, toDays: 30 } });
    const again = await runtime({ dataDir, yaml: 'retention: { logs: 30d }\n' });
    expect(again.approvals.requests.list()).toHaveLength(1); // asked once, not at every start
    const as = await people(again);
    expect((await call(again, 'POST', `/api/v1/requests/${request!.id}/approve`, as.appr!)).json().state).toBe('ran');
    const [row] = await again.storage.query<{ q: string }>(sql`SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = 'logs'`);
    expect(row!.q).toContain('toIntervalDay(30)');
  });
});

describe('the hand-over ledger of confidential data', () => {
  it('records date, from, to, content, means, and the return; operators write it, viewers read it, all audited', async () => {
    const rt = await runtime();
    const as = await people(rt);
    const viewer = { authorization: `Bearer ${(await rt.accounts.tokens.create('personal', 'v', 'op1', 'viewer', 'test')).token}` };
    const made = await call(rt, 'POST', '/api/v1/handovers', as.op1!, { handed_on: '2026-11-30', from: '受託者 佐藤', to: '財団 田中様', content: '11月のアクセスログ抜粋', means: '暗号化 USB' });
    expect(made.statusCode).toBe(201);
    expect((await call(rt, 'POST', '/api/v1/handovers', viewer, { handed_on: '2026-11-30', from: 'a', to: 'b', content: 'c', means: 'd' })).statusCode).toBe(403);
    const back = await call(rt, 'POST', `/api/v1/handovers/${made.json().id}/returned`, as.op2!, { returned_on: '2026-12-02', note: '返却を確認' });
    expect(back.json()).toMatchObject({ returned_on: '2026-12-02', recorded_by: 'op1' });
    expect((await call(rt, 'POST', `/api/v1/handovers/${made.json().id}/returned`, as.op2!, { returned_on: '2026-12-03' })).statusCode).toBe(409);
    const list = (await call(rt, 'GET', '/api/v1/handovers', viewer)).json().handovers;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ from: '受託者 佐藤', to: '財団 田中様', means: '暗号化 USB' });
    await rt.trail.flush();
    const [n] = await rt.storage.query<{ n: number }>(sql`SELECT count() AS n FROM audit_log WHERE action LIKE '%handovers%'`);
    expect(Number(n!.n)).toBe(4);
  });
});
