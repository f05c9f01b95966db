import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../../test/helpers/runtime.ts';
import { OWN_CREDENTIAL_ROUTES, PUBLIC_ROUTES, APP_SHELL_PAGES } from './public-routes.ts';
import { ROLES, type Role } from './config.ts';

// The complete route table of the built app: every route declares the access
// it needs or is on the reviewed open list, and every protected route answers
// 401 to nobody and 403 to a lower role. A route added later without a
// declaration stops the app from building, so it fails this suite.

let rt: TestRuntime;
const tokens: Partial<Record<Role | 'display', string>> = {};
const PASSWORD = 'V!olet-Harb0ur-91';

beforeAll(async () => {
  rt = await openTestRuntime({ yaml: 'agent: { enabled: false }\n' });
  const { accounts } = rt.accounts;
  for (const role of ROLES) {
    await accounts.create(`user-${role}`, { displayName: role }, role, PASSWORD, { name: 'test', role: 'admin' }, { lang: 'en', mustChangePassword: false });
    tokens[role] = (await rt.accounts.tokens.create('personal', `${role} script`, `user-${role}`, role, 'test')).token;
  }
  tokens.display = (await rt.accounts.tokens.create('display', 'wall', 'test', '', 'test')).token;
});
afterAll(async () => rt.close());

const fill = (url: string) => url.replace(/:(\w+)/g, 'x').replace('*', 'x');
const call = (method: string, url: string, token?: string, remoteAddress = '10.1.2.3') =>
  rt.app.inject({ method: method as 'GET', url: fill(url), remoteAddress, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }) });
const lower = (role: Role): Role | undefined => ROLES[ROLES.indexOf(role) - 1];

describe('every route declares its access', () => {
  it('is either protected by a role, the wall, metrics, or on the reviewed open list — and the open list holds nothing else', () => {
    const table = rt.app.routeTable;
    expect(table.length).toBeGreaterThan(60);
    const reviewed = new Set([...PUBLIC_ROUTES, ...OWN_CREDENTIAL_ROUTES].map((r) => `${r.method} ${r.url}`).concat(APP_SHELL_PAGES.map((p) => `GET ${p}`)));
    const open = table.filter((r) => r.access === 'open').map((r) => `${r.method} ${r.url}`);
    for (const route of open) expect(reviewed, `${route} is open but not reviewed`).toContain(route);
    const protectedRoutes = table.filter((r) => r.access !== 'open');
    expect(protectedRoutes.map((r) => `${r.method} ${r.url}`)).toEqual(expect.arrayContaining(['GET /api/v1/logs', 'GET /api/v1/tickets', 'GET /api/v1/wall/stream', 'GET /metrics', 'POST /api/v1/users']));
  });

  it('answers 401 to nobody on every protected route, before reading any body', async () => {
    const failures: string[] = [];
    for (const r of rt.app.routeTable.filter((r) => r.access !== 'open')) {
      const res = await call(r.method, r.url);
      if (res.statusCode !== 401) failures.push(`${r.method} ${r.url} (${r.access}): ${res.statusCode}`);
    }
    expect(failures).toEqual([]);
  });

  it('answers 403 to the role just below on every route that needs more than viewer', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const r of rt.app.routeTable) {
      if (r.access === 'open' || r.access === 'display' || r.access === 'metrics' || r.access === 'viewer') continue;
      const res = await call(r.method, r.url, tokens[lower(r.access)!]);
      checked++;
      if (res.statusCode !== 403) failures.push(`${r.method} ${r.url} (${r.access}) with ${lower(r.access)}: ${res.statusCode}`);
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(25);
  });

  it('lets a viewer read and a display token open the wall, and nothing else', async () => {
    expect((await call('GET', '/api/v1/logs', tokens.viewer)).statusCode).toBe(200);
    expect((await call('GET', '/api/v1/wall', tokens.display)).statusCode).toBe(200);
    for (const url of ['/api/v1/logs', '/api/v1/tickets', '/api/v1/alerts', '/api/v1/users', '/api/v1/notifications']) {
      expect((await call('GET', url, tokens.display)).statusCode, url).toBe(401);
    }
    expect((await call('POST', '/api/v1/tickets', tokens.display)).statusCode).toBe(401);
  });

  it('serves /metrics to loopback or a credential, not to a stranger', async () => {
    expect((await call('GET', '/metrics')).statusCode).toBe(401);
    expect((await call('GET', '/metrics', tokens.viewer)).statusCode).toBe(200);
    expect((await call('GET', '/metrics', undefined, '127.0.0.1')).statusCode).toBe(200);
  });
});
