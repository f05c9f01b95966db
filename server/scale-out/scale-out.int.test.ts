import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestRuntime, tempDir, type TestRuntime } from '../../test/helpers/runtime.ts';
import { QueuedAudit } from '../audit/index.ts';
import { sql, ts } from '../storage/sql.ts';
import { roleFrom } from './role.ts';

// The primary/replica split (issue 19) as far as one machine allows: chDB
// opens a data directory in one process, so each half runs alone here and
// the other half's writes are made the way they reach the shared tables.

let rt: TestRuntime | undefined;
afterEach(async () => {
  await rt?.close();
  rt = undefined;
});
const yaml = `agent: { enabled: false }
evaluation_interval: 1h
rules:
  - { name: slow, kind: response_time, consecutive: 1 }
`;
async function until<T>(what: () => Promise<T | undefined> | T | undefined, tries = 100): Promise<T | undefined> {
  for (let i = 0; i < tries; i++) {
    const got = await what();
    if (got) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

describe('MIMAMORI_ROLE', () => {
  it('is all, primary or replica; anything else stops the start with the allowed values', () => {
    expect(roleFrom({})).toBe('all');
    expect(roleFrom({ MIMAMORI_ROLE: 'replica' })).toBe('replica');
    expect(() => roleFrom({ MIMAMORI_ROLE: 'secondary' })).toThrow('MIMAMORI_ROLE=secondary: must be one of all, primary, replica');
  });

  it('a primary raises the alert for a slow probe that reached its table without passing its own door (as a replica’s ingest does), with the hourly evaluation far off', async () => {
    rt = await openTestRuntime({ yaml, env: { MIMAMORI_ROLE: 'primary' } });
    expect(rt.role).toBe('primary');
    await rt.storage.command(sql`INSERT INTO probes (timestamp, environment, target, url, ok, status, total_ms) VALUES (${ts(Date.now())}, 'production', 'portal', 'https://example.jp/', true, 200, 6200)`);
    const alert = await until(() => rt!.alerting.store.active().find((a) => a.rule === 'slow' && a.labels.target === 'portal'));
    expect(alert, 'the follower announced the stored row and the rule judged it').toMatchObject({ state: 'firing', value: 6200 });
    const metrics = (await rt.app.inject({ method: 'GET', url: '/metrics', headers: rt.admin })).body;
    expect(metrics).toMatch(/mimamori_follower_announced_rows_total\{kind="probes"\} 1\b/);
    expect(metrics).toMatch(/mimamori_component_running\{component="evaluator"\} 1/);
  });

  it('a primary seals the entries replicas queued into its one audit chain, in order, and the chain verifies; after a stop that outran its notes, none is sealed twice', async () => {
    rt = await openTestRuntime({ yaml, env: { MIMAMORI_ROLE: 'primary' } });
    const replica = new QueuedAudit(rt.storage);
    for (const n of [1, 2, 3]) await replica.append({ at: Date.now() + n, actor: `op${n}`, role: 'operator', via: 'token', address: '10.0.0.2', action: 'GET /api/v1/audit', object: '{}', result: 'ok', status: 200, detail: `replica entry ${n}` });
    const sealed = await until(async () => {
      const rows = await rt!.storage.query<{ detail: string }>(sql`SELECT detail FROM audit_log WHERE detail LIKE 'replica entry %' ORDER BY seq`);
      await rt!.trail.flush();
      return rows.length === 3 ? rows : undefined;
    });
    expect(sealed?.map((r) => r.detail)).toEqual(['replica entry 1', 'replica entry 2', 'replica entry 3']);
    const verify = await rt.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: rt.admin });
    expect(verify.json()).toMatchObject({ ok: true });
    // As if the primary stopped after sealing the last two but before noting their ids: the next start finds them in the chain.
    const dataDir = rt.dataDir;
    await rt.close();
    const stateFile = path.join(dataDir, 'audit-queue.json');
    const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { upTo: number; sealed: Record<string, number> };
    const kept = Object.entries(state.sealed).sort((a, b) => a[1] - b[1])[0]!;
    fs.writeFileSync(stateFile, JSON.stringify({ ...state, sealed: Object.fromEntries([kept]) }));
    rt = await openTestRuntime({ yaml, dataDir, env: { MIMAMORI_ROLE: 'primary' } });
    await new QueuedAudit(rt.storage).append({ at: Date.now() + 9, actor: 'op4', role: 'operator', via: 'token', address: '10.0.0.2', action: 'GET /api/v1/audit', object: '{}', result: 'ok', status: 200, detail: 'replica entry 4' });
    const after = await until(async () => {
      await rt!.trail.flush();
      const rows = await rt!.storage.query<{ detail: string }>(sql`SELECT detail FROM audit_log WHERE detail LIKE 'replica entry %' ORDER BY seq`);
      return rows.length >= 4 ? rows : undefined;
    });
    expect(after?.map((r) => r.detail)).toEqual(['replica entry 1', 'replica entry 2', 'replica entry 3', 'replica entry 4']);
  });

  it('a session made on one instance is valid on a replica: sessions live in ClickHouse, not in a process', async () => {
    const dataDir = tempDir();
    rt = await openTestRuntime({ yaml, dataDir });
    await rt.accounts.accounts.create('sato', { displayName: '佐藤' }, 'operator', 'V!olet-Harb0ur-91', { name: 'test', role: 'admin' }, { lang: 'ja', mustChangePassword: false });
    const signIn = await rt.app.inject({ method: 'POST', url: '/api/v1/session', payload: { id: 'sato', password: 'V!olet-Harb0ur-91' } });
    expect(signIn.statusCode, signIn.body).toBe(200);
    const cookie = signIn.cookies.find((c) => c.name === 'mimamori_session')!;
    await rt.close();
    rt = await openTestRuntime({ yaml, dataDir, env: { MIMAMORI_ROLE: 'replica' } });
    const session = await rt.app.inject({ method: 'GET', url: '/api/v1/session', cookies: { mimamori_session: cookie.value } });
    expect(session.json()).toMatchObject({ user: { id: 'sato', role: 'operator' } });
    const logs = await rt.app.inject({ method: 'GET', url: '/api/v1/logs?environment=production', cookies: { mimamori_session: cookie.value } });
    expect(logs.statusCode).toBe(200);
  });

  it('a replica takes telemetry and table reads, raises no alert of its own on a slow probe, refuses the rest with 421, and queues its audit entries instead of writing a chain', async () => {
    rt = await openTestRuntime({ yaml, env: { MIMAMORI_ROLE: 'replica' } });
    const ingest = await rt.app.inject({ method: 'POST', url: '/api/v1/ingest/probes', headers: rt.auth, payload: [{ timestamp: Date.now(), environment: 'production', target: 'portal', ok: true, total_ms: 6300 }] });
    expect(ingest.statusCode).toBe(200);
    const metricsText = async () => (await rt!.app.inject({ method: 'GET', url: '/metrics', headers: rt!.admin })).body;
    // The follower reads the slow probe back (so the wall and rules on a primary would see it); this replica judges nothing.
    expect(await until(async () => /mimamori_follower_announced_rows_total\{kind="probes"\} 1\b/.test(await metricsText()))).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(rt.alerting.store.active()).toEqual([]);
    const [events] = await rt.storage.query<{ n: number }>(sql`SELECT count() AS n FROM alert_events`);
    expect(Number(events!.n)).toBe(0);
    for (const [method, url] of [['POST', '/api/v1/tickets'], ['GET', '/api/v1/tickets'], ['GET', '/api/v1/alerts'], ['GET', '/ack/INC-2026-0001']] as const) {
      const res = await rt.app.inject({ method, url, headers: rt.admin, ...(method === 'POST' ? { payload: { type: 'incident', title: 'x', environment: 'production' } } : {}) });
      expect([url, res.statusCode], res.body).toEqual([url, 421]);
      expect(res.json().message).toContain('send this to the primary');
    }
    const read = await rt.app.inject({ method: 'GET', url: '/api/v1/logs?environment=production&limit=5', headers: rt.admin });
    expect(read.statusCode).toBe(200);
    const [queued] = await rt.storage.query<{ n: number }>(sql`SELECT count() AS n FROM audit_queue`);
    expect(Number(queued!.n)).toBeGreaterThan(0);
    const [chained] = await rt.storage.query<{ n: number }>(sql`SELECT count() AS n FROM audit_log`);
    expect(Number(chained!.n)).toBe(0);
  });
});
