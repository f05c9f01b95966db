import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openTestRuntime, tempDir, type TestRuntime } from '../../test/helpers/runtime.ts';
import { sql } from '../storage/sql.ts';
import { AUDIT_HEAD_FILE, readHeadFile } from './trail.ts';
import { verifyChain } from './verify.ts';

// The audit chain on the real engine. chDB opens one data directory per
// process, so each test closes the runtime before it opens its own.

let current: TestRuntime | undefined;
afterAll(async () => current?.close());
async function runtime(dataDir = tempDir()): Promise<TestRuntime> {
  await current?.close();
  current = await openTestRuntime({ dataDir, yaml: 'agent: { enabled: false }\n' });
  return current;
}
const entries = async (rt: TestRuntime) => {
  await rt.trail.flush();
  return rt.storage.query<{ seq: number; actor: string; role: string; via: string; address: string; action: string; object: string; result: string; status: number }>(sql`SELECT seq, actor, role, via, address, action, object, result, status FROM audit_log ORDER BY seq`);
};
const verify = async (rt: TestRuntime) => {
  await rt.trail.flush();
  return verifyChain(rt.storage, readHeadFile(path.join(rt.dataDir, AUDIT_HEAD_FILE)));
};
const fill = (url: string) => url.replace(/:(\w+)/g, 'x');

describe('every action enters the chain once', () => {
  it('each mutating route, called once by an administrator from one address, leaves exactly one entry with actor, role, address and result', async () => {
    const rt = await runtime();
    const mutating = rt.app.routeTable.filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && !/^\/api\/v1\/(ingest|faro)\//.test(r.url) && !r.url.startsWith('/ack/'));
    expect(mutating.length).toBeGreaterThan(25);
    for (const r of mutating) {
      const res = await rt.app.inject({ method: r.method as 'POST', url: fill(r.url), payload: {}, remoteAddress: '10.9.8.7', headers: rt.admin });
      const all = await entries(rt);
      const mine = all.filter((e) => e.action === `${r.method} ${r.url}`);
      expect(mine, `${r.method} ${r.url}`).toHaveLength(1);
      expect(mine[0]).toMatchObject({ actor: 'local-admin', role: 'admin', via: 'key', address: '10.9.8.7', status: res.statusCode, result: res.statusCode < 400 ? 'ok' : res.statusCode < 500 ? 'refused' : 'failed' });
    }
    expect((await verify(rt)).ok).toBe(true);
  });

  it('records sign-in, a failed sign-in under the id it tried, sign-out, and an administrative read; never the password', async () => {
    const rt = await runtime();
    const password = 'V!olet-Harb0ur-91';
    await rt.app.inject({ method: 'POST', url: '/api/v1/users', headers: rt.admin, payload: { id: 'sato', role: 'operator', display_name: 'S', password } });
    await rt.app.inject({ method: 'POST', url: '/api/v1/session', payload: { id: 'sato', password: 'Wrong-Passw0rd!' }, remoteAddress: '10.0.0.9' });
    const ok = await rt.app.inject({ method: 'POST', url: '/api/v1/session', payload: { id: 'sato', password }, remoteAddress: '10.0.0.9' });
    const cookie = `mimamori_session=${ok.cookies.find((c) => c.name === 'mimamori_session')!.value}`;
    await rt.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie, 'x-csrf-token': ok.json().csrf_token }, remoteAddress: '10.0.0.9' });
    await rt.app.inject({ url: '/api/v1/users', headers: rt.admin });
    const log = await entries(rt);
    expect(log.map((e) => [e.action, e.actor, e.result])).toEqual([
      ['POST /api/v1/users', 'local-admin', 'ok'],
      ['POST /api/v1/session', 'sato', 'refused'],
      ['POST /api/v1/session', 'sato', 'ok'],
      ['DELETE /api/v1/session', 'sato', 'ok'],
      ['GET /api/v1/users', 'local-admin', 'ok'],
    ]);
    expect(log[2]).toMatchObject({ role: 'operator', via: 'session', address: '10.0.0.9' });
    expect(JSON.parse(log[0]!.object)).toEqual({ created: 'sato' });
    const stored = JSON.stringify(await rt.storage.query(sql`SELECT * FROM audit_log`));
    expect(stored).not.toContain(password);
    expect(stored).not.toContain('Wrong-Passw0rd');
    expect(stored).not.toContain('argon2');
    // The admin page's filters: the privileged actions alone, and the next page after the last entry shown.
    const page = async (query: string) => (await rt.app.inject({ url: `/api/v1/audit?${query}`, headers: rt.admin })).json().entries as { seq: number; actor: string; action: string }[];
    expect((await page('role=admin')).map((e) => e.action)).toEqual(['GET /api/v1/users', 'POST /api/v1/users']); // a read's own entry follows its answer
    const first = await page('actor=sato&limit=2');
    expect(first.map((e) => e.action)).toEqual(['DELETE /api/v1/session', 'POST /api/v1/session']);
    expect((await page(`actor=sato&limit=2&before=${first[1]!.seq}`)).map((e) => e.action)).toEqual(['POST /api/v1/session']);
    expect((await rt.app.inject({ url: '/api/v1/audit?result=refused', headers: rt.admin })).json().entries).toHaveLength(1);
  });
});

describe('the chain proves itself', () => {
  const chain = async (changes: number) => {
    const rt = await runtime();
    for (let i = 0; i < changes; i++) await rt.app.inject({ method: 'POST', url: '/api/v1/silences', headers: rt.admin, payload: { matchers: { target: `t${i}` }, ends_at: new Date(Date.now() + 3_600_000).toISOString(), comment: `c${i}` } });
    expect((await verify(rt)).ok).toBe(true);
    return rt;
  };
  const tamper = async (rt: TestRuntime, statement: ReturnType<typeof sql>) => {
    await rt.storage.command(statement);
    return verify(rt);
  };

  it('an altered entry: the first broken entry is named', async () => {
    const rt = await chain(8);
    const result = await tamper(rt, sql`ALTER TABLE audit_log UPDATE actor = 'someone else' WHERE seq = 4 SETTINGS mutations_sync = 1`);
    expect(result).toMatchObject({ ok: false, broken: { seq: 4 } });
    expect(result.broken!.reason).toContain('altered');
  });

  it('a deleted entry in the middle', async () => {
    const rt = await chain(8);
    const result = await tamper(rt, sql`ALTER TABLE audit_log DELETE WHERE seq = 5 SETTINGS mutations_sync = 1`);
    expect(result).toMatchObject({ ok: false, broken: { seq: 5 } });
    expect(result.broken!.reason).toContain('missing');
  });

  it('the newest entry removed (only the head outside the table knows)', async () => {
    const rt = await chain(8);
    const result = await tamper(rt, sql`ALTER TABLE audit_log DELETE WHERE seq = 8 SETTINGS mutations_sync = 1`);
    expect(result).toMatchObject({ ok: false, broken: { seq: 8 } });
    expect(result.broken!.reason).toContain('removed');
  });

  it('a forged entry inserted', async () => {
    const rt = await chain(8);
    const result = await tamper(rt, sql`INSERT INTO audit_log SELECT 6, now64(3), 'ghost', 'admin', 'key', '10.6.6.6', 'DELETE /api/v1/users/:id', '{}', 'ok', 204, '', prev_hash, hash FROM audit_log WHERE seq = 6`);
    expect(result).toMatchObject({ ok: false, broken: { seq: 6 } });
  });

  it('continues across a restart, and does not fork under 50 concurrent changes', async () => {
    const dataDir = tempDir();
    let rt = await runtime(dataDir);
    for (let i = 0; i < 5; i++) await rt.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: rt.admin, payload: { type: 'inquiry', environment: 'production', title: `before ${i}` } });
    rt = await runtime(dataDir);
    await Promise.all(Array.from({ length: 50 }, (_, i) => rt.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: rt.admin, payload: { type: 'inquiry', environment: 'production', title: `after ${i}` } })));
    const result = await verify(rt);
    expect(result).toMatchObject({ ok: true, entries: 55 });
    expect((await entries(rt)).map((e) => Number(e.seq))).toEqual(Array.from({ length: 55 }, (_, i) => i + 1));
    expect(readHeadFile(path.join(dataDir, AUDIT_HEAD_FILE))).toEqual(result.last);
    expect(fs.statSync(path.join(dataDir, AUDIT_HEAD_FILE)).mode & 0o777).toBe(0o600);
  });
});
