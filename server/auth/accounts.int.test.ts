import fs from 'node:fs';
import path from 'node:path';
import { hash } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../../test/helpers/runtime.ts';
import { sql } from '../storage/sql.ts';
import { needsRehash } from './passwords.ts';
import { SESSION_CHECK_MS } from './sessions.ts';

// Accounts on the real engine, through the HTTP API (app.inject).
let rt: TestRuntime;
let admin: { authorization: string };
beforeAll(async () => {
  rt = await openTestRuntime({ yaml: 'accounts: { organisation_names: [未来文化財団, Mirai Foundation] }\nagent: { enabled: false }\n' });
  admin = { authorization: `Bearer ${fs.readFileSync(path.join(rt.dataDir, 'admin-token'), 'utf8').trim()}` };
});
afterAll(async () => rt.close());

const GOOD = 'V!olet-Harb0ur-91';
type Headers = Record<string, string>;
const inject = (method: string, url: string, body?: object, headers: Headers = {}) => rt.app.inject({ method: method as 'GET', url, payload: body, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers } });
/** 200 with the user while the session lives, 401 once it has ended (GET /api/v1/session answers `user: null` then). */
const sessionStatus = async (cookie: string) => {
  const res = await inject('GET', '/api/v1/session', undefined, { cookie });
  return res.statusCode === 200 && res.json().user ? 200 : 401;
};
const cookieOf = (res: { cookies: { name: string; value: string }[] }) => `mimamori_session=${res.cookies.find((c) => c.name === 'mimamori_session')!.value}`;

async function signIn(id: string, password: string, address = '10.0.0.1') {
  const res = await rt.app.inject({ method: 'POST', url: '/api/v1/session', payload: { id, password }, remoteAddress: address });
  return { res, cookie: res.statusCode === 200 ? cookieOf(res) : '', csrf: res.statusCode === 200 ? (res.json().csrf_token as string) : '' };
}

describe('first run', () => {
  it('creates the first administrator only with the setup link, once, and signs them in', async () => {
    expect((await inject('GET', '/api/v1/setup')).json()).toMatchObject({ needed: true });
    const link = rt.accounts.setupLink.ensure();
    expect((fs.statSync(path.join(rt.dataDir, 'setup-link')).mode & 0o777).toString(8)).toBe('600');
    const body = { id: 'root-admin', display_name: '管理 太郎', password: GOOD };
    expect((await inject('POST', '/api/v1/setup', { ...body, token: 'wrong' })).statusCode).toBe(403);
    const res = await inject('POST', '/api/v1/setup', { ...body, token: link.url.split('#')[1] });
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({ id: 'root-admin', role: 'admin', must_change_password: false });
    const cookie = res.cookies.find((c) => c.name === 'mimamori_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect((await inject('GET', '/api/v1/session', undefined, { cookie: cookieOf(res) })).json().user.id).toBe('root-admin');
    expect((await inject('GET', '/api/v1/setup')).json().needed).toBe(false);
    expect((await inject('POST', '/api/v1/setup', { ...body, id: 'second', token: link.url.split('#')[1] })).statusCode).toBe(409);
    expect(fs.existsSync(path.join(rt.dataDir, 'setup-link'))).toBe(false);
  });
});

describe('accounts', () => {
  it('refuses passwords naming each broken rule, in the language asked for', async () => {
    const create = (password: string, lang: string) => inject('POST', '/api/v1/users', { id: 'hsuzuki', role: 'operator', display_name: '鈴木 花子', family_kana: 'すずき', given_kana: 'はなこ', password }, { ...admin, 'accept-language': lang });
    const ja = await create('suzuki', 'ja');
    expect(ja.statusCode).toBe(400);
    expect(ja.json().details.map((d: { code: string }) => d.code)).toEqual(['too_short', 'too_few_classes', 'contains_user_name']);
    expect(ja.json().message).toContain('8 文字以上');
    const en = await create('Mirai-Foundation-7', 'en-US');
    expect(en.json()).toMatchObject({ error: 'password_policy', details: [{ field: 'password', code: 'contains_organisation' }] });
    expect(en.json().message).toContain("organisation's name");
    expect((await create('Password123!', 'en')).json().details[0].code).toBe('guessable');
    expect((await create(GOOD, 'en')).statusCode).toBe(201);
    expect((await create(GOOD, 'en')).statusCode).toBe(409);
  });

  it('an initial password must be changed first; changes need the session’s CSRF token', async () => {
    const { cookie, csrf, res } = await signIn('hsuzuki', GOOD);
    expect(res.json().user.must_change_password).toBe(true);
    const blocked = await inject('GET', '/api/v1/users', undefined, { cookie });
    expect(blocked.json().error).toBe('password_change_required');
    const change = (headers: Headers) => inject('POST', '/api/v1/session/password', { current_password: GOOD, password: 'Q8#lantern-Moss-2' }, { cookie, ...headers });
    expect((await change({})).json().error).toBe('csrf');
    const changed = await change({ 'x-csrf-token': csrf });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().user.must_change_password).toBe(false);
    // The old session ended with the password change; the answer carries a new one.
    expect(await sessionStatus(cookie)).toBe(401);
    const fresh = cookieOf(changed);
    const note = await inject('POST', '/api/v1/tickets', { type: 'inquiry', environment: 'production', title: 'phone call' }, { cookie: fresh });
    expect(note.json().error).toBe('csrf');
    const opened = await inject('POST', '/api/v1/tickets', { type: 'inquiry', environment: 'production', title: 'phone call' }, { cookie: fresh, 'x-csrf-token': changed.json().csrf_token });
    expect(opened.statusCode).toBe(201);
    expect(opened.json().events[0].actor).toBe('hsuzuki');
  });

  it('disabling, a new role or deletion ends the user’s sessions within a second; the ID is never reused', async () => {
    const { cookie } = await signIn('hsuzuki', 'Q8#lantern-Moss-2');
    const alive = () => sessionStatus(cookie);
    expect(await alive()).toBe(200);
    const started = Date.now();
    expect((await inject('POST', '/api/v1/users/hsuzuki/disable', {}, admin)).statusCode).toBe(200);
    expect(await alive()).toBe(401);
    expect(Date.now() - started).toBeLessThan(SESSION_CHECK_MS);
    expect((await signIn('hsuzuki', 'Q8#lantern-Moss-2')).res.statusCode).toBe(401);
    await inject('POST', '/api/v1/users/hsuzuki/enable', {}, admin);
    const second = await signIn('hsuzuki', 'Q8#lantern-Moss-2');
    expect((await inject('PATCH', '/api/v1/users/hsuzuki', { role: 'viewer' }, admin)).json().role).toBe('viewer');
    expect(await sessionStatus(second.cookie)).toBe(401);
    await inject('POST', '/api/v1/users/hsuzuki/enable', {}, admin);
    const third = await signIn('hsuzuki', 'Q8#lantern-Moss-2');
    // Deleting: out at once, erased once a second person approves (item 16).
    const asked = await inject('DELETE', '/api/v1/users/hsuzuki?reason=left%20the%20team', undefined, admin);
    expect(asked.statusCode).toBe(202);
    expect(asked.json()).toMatchObject({ user: { enabled: false }, request: { state: 'pending' } });
    expect(await sessionStatus(third.cookie)).toBe(401);
    const requestId = asked.json().request.id as string;
    expect((await inject('GET', '/api/v1/users', undefined, admin)).json().users.find((u: { id: string }) => u.id === 'hsuzuki').deletion_request).toBe(requestId);
    expect((await inject('DELETE', '/api/v1/users/hsuzuki', undefined, admin)).json().request.id).toBe(requestId); // asked once
    const personal = async () => Number((await rt.storage.query<{ n: number }>(sql`SELECT count() AS n FROM users WHERE id = 'hsuzuki' AND display_name != ''`))[0]!.n);
    expect(await personal()).toBeGreaterThan(0);
    const approved = await rt.approvals.requests.approve(requestId, { name: 'foundation', role: 'approver' });
    expect(approved.state).toBe('ran');
    expect(await personal()).toBe(0); // personal data is gone, old versions too
    expect((await inject('POST', '/api/v1/users', { id: 'hsuzuki', role: 'viewer', display_name: 'x', password: GOOD }, admin)).statusCode).toBe(409);
  });

  it('a session ended by another instance (rows written straight to the shared database) stops working here within a second', async () => {
    await inject('POST', '/api/v1/users', { id: 'elsewhere', role: 'operator', display_name: 'E', password: GOOD }, admin);
    const { cookie } = await signIn('elsewhere', GOOD, '10.0.5.1');
    const status = () => sessionStatus(cookie);
    expect(await status()).toBe(200);
    const [session] = await rt.storage.query<{ id: string }>(sql`SELECT id FROM sessions FINAL WHERE user_id = 'elsewhere'`);
    await rt.storage.insertRows('session_ends', [{ id: session!.id, user_id: 'elsewhere', at: '2026-11-30 00:00:00.000', reason: 'other instance' }], 'test-end');
    expect(await status()).toBe(200); // this instance's cached check, at most a second old
    await new Promise((r) => setTimeout(r, SESSION_CHECK_MS + 50));
    expect(await status()).toBe(401);
  });

  it('keeps one enabled administrator, and records who did what without secrets', async () => {
    expect((await inject('POST', '/api/v1/users/root-admin/disable', {}, admin)).json().error).toBe('last_admin');
    const history = (await inject('GET', '/api/v1/users/hsuzuki', undefined, admin)).statusCode;
    expect(history).toBe(404);
    const events = await rt.storage.query<{ action: string; actor: string; detail: string }>(sql`SELECT action, actor, detail FROM user_events WHERE user_id = 'hsuzuki' ORDER BY at`);
    expect(events.map((e) => e.action)).toEqual(['created', 'signed_in', 'password_set', 'signed_in', 'disabled', 'enabled', 'signed_in', 'updated', 'enabled', 'signed_in', 'disabled', 'deleted']);
    expect(events[0]!.actor).toBe('local-admin');
    expect(events.at(-1)!.actor).toBe('foundation'); // the approver erased it
    const everything = JSON.stringify(events);
    expect(everything).not.toContain('argon2');
    expect(everything).not.toContain('Q8#lantern');
  });
});

describe('sign-in defences', () => {
  it('locks an account after 5 failures in 15 minutes and says when to retry; unknown users get the same answer', async () => {
    await inject('POST', '/api/v1/users', { id: 'lock-me', role: 'viewer', display_name: 'L', password: GOOD }, admin);
    const unknown = await signIn('nobody-here', GOOD, '10.0.0.2');
    const wrong = await signIn('lock-me', 'nope', '10.0.0.2');
    expect([unknown.res.statusCode, wrong.res.statusCode]).toEqual([401, 401]);
    expect(unknown.res.json().message).toBe(wrong.res.json().message);
    for (let i = 0; i < 4; i++) await signIn('lock-me', 'nope', `10.0.1.${i}`);
    const locked = await signIn('lock-me', GOOD, '10.0.0.3');
    expect(locked.res.statusCode).toBe(429);
    expect(Number(locked.res.headers['retry-after'])).toBeGreaterThan(25);
    expect(locked.res.json().details[0].retry_at).toMatch(/^\d{4}-/);
  });

  it('limits sign-in attempts per address, whatever the account', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 22; i++) answers.push((await signIn(`someone-${i}`, 'x', '10.9.9.9')).res.statusCode);
    expect(answers.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(answers.slice(20)).toEqual([429, 429]);
    expect((await signIn('someone', 'x', '10.9.9.10')).res.statusCode).toBe(401);
  });

  it('upgrades a hash made with older parameters at the next sign-in', async () => {
    await inject('POST', '/api/v1/users', { id: 'old-hash', role: 'viewer', display_name: 'O', password: GOOD }, admin);
    const user = (await rt.accounts.accounts.users.get('old-hash'))!;
    await rt.accounts.accounts.users.save({ ...user, passwordHash: await hash(GOOD, { algorithm: 2, memoryCost: 8192, timeCost: 1 }) }, 'updated', { name: 'test', role: 'admin' });
    expect(needsRehash((await rt.accounts.accounts.users.get('old-hash'))!.passwordHash)).toBe(true);
    expect((await signIn('old-hash', GOOD, '10.0.7.1')).res.statusCode).toBe(200);
    expect(needsRehash((await rt.accounts.accounts.users.get('old-hash'))!.passwordHash)).toBe(false);
  });

  it('refuses a sign-in posted from another site', async () => {
    const res = await rt.app.inject({ method: 'POST', url: '/api/v1/session', payload: { id: 'root-admin', password: GOOD }, headers: { origin: 'https://evil.example', host: 'localhost:8080' } });
    expect(res.json().error).toBe('foreign_origin');
  });
});
