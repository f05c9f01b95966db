import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { openTestRuntime, tempDir, type TestRuntime } from '../../test/helpers/runtime.ts';

// Mimamori on a network (item 13): headers a security review expects,
// administration only from configured ranges, the client address behind a
// proxy, and a bound on live streams.

// chDB opens one data directory per process: each test closes the runtime before it and reopens the same directory.
const dataDir = tempDir();
let current: TestRuntime | undefined;
afterAll(async () => current?.close());
async function runtime(yaml: string, env: NodeJS.ProcessEnv = {}) {
  await current?.close();
  current = undefined;
  current = await openTestRuntime({ dataDir, yaml: `agent: { enabled: false }\n${yaml}`, env });
  return current;
}

describe('security headers', () => {
  it('every page and answer carries a CSP, nosniff and no referrer; only the maintenance page may be framed', async () => {
    const rt = await runtime('');
    for (const url of ['/', '/login', '/wall', '/api/v1/ui-config', '/api/v1/logs', '/healthz', '/api/docs/json']) {
      const res = await rt.app.inject({ url, headers: rt.admin });
      expect(res.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['referrer-policy'], url).toBe('no-referrer');
      expect(res.headers['x-powered-by'], url).toBeUndefined();
    }
    const app = (await rt.app.inject({ url: '/login' })).headers['content-security-policy'] as string;
    expect(app).toContain("script-src 'self'");
    expect(app).not.toContain('unsafe-inline');
    expect((await rt.app.inject({ url: '/maintenance' })).headers['content-security-policy']).toContain('frame-ancestors *');
    expect((await rt.app.inject({ url: '/healthz' })).headers['strict-transport-security']).toBeUndefined();
  });

  it('sends HSTS when people reach Mimamori over https', async () => {
    const rt = await runtime('public_url: https://mimamori.example.jp\n');
    expect((await rt.app.inject({ url: '/healthz' })).headers['strict-transport-security']).toContain('max-age=31536000');
  });
});

describe('administration by source address, behind a proxy', () => {
  it('refuses admin routes from outside http.admin_allow, and reads the address from X-Forwarded-For only when the proxy is trusted', async () => {
    const rt = await runtime('http: { admin_allow: [10.20.0.0/16, "::1/128"], trust_proxy: [127.0.0.1/32] }\n');
    const users = (remoteAddress: string, forwarded?: string) =>
      rt.app.inject({ url: '/api/v1/users', remoteAddress, headers: { ...rt.admin, ...(forwarded ? { 'x-forwarded-for': forwarded } : {}) } });
    expect((await users('10.20.3.4')).statusCode).toBe(200);
    const outside = await users('192.0.2.9');
    expect(outside.statusCode).toBe(403);
    expect(outside.json().error).toBe('address_not_allowed');
    expect((await users('127.0.0.1', '10.20.9.9')).statusCode).toBe(200); // the trusted proxy says who
    expect((await users('192.0.2.9', '10.20.9.9')).statusCode).toBe(403); // an untrusted one does not
    expect((await rt.app.inject({ url: '/api/v1/logs', remoteAddress: '192.0.2.9', headers: rt.admin })).statusCode).toBe(200); // reading is not administration
    // Making display or ingest tokens, and seeing everyone's, is administration too.
    const token = (remoteAddress: string) => rt.app.inject({ method: 'POST', url: '/api/v1/tokens', remoteAddress, headers: rt.admin, payload: { kind: 'display', name: 'wall' } });
    expect((await token('192.0.2.9')).statusCode).toBe(403);
    expect((await token('10.20.3.4')).statusCode).toBe(201);
    expect((await rt.app.inject({ url: '/api/v1/tokens', remoteAddress: '192.0.2.9', headers: rt.admin })).statusCode).toBe(403);
  });

  it('refuses a config with a malformed range, naming the line', async () => {
    await expect(runtime('http: { admin_allow: [10.20.0.0/99] }\n')).rejects.toThrow(/http\.admin_allow\.0: "10\.20\.0\.0\/99" is not an address or a CIDR range/);
  });
});

describe('live streams', () => {
  it('refuses a stream past the per-address limit with 429 and keeps serving the open ones', async () => {
    const rt = await runtime('http: { max_streams_per_address: 2, max_streams_per_credential: 5 }\n');
    await rt.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (rt.app.server.address() as AddressInfo).port;
    const open = () =>
      new Promise<{ status: number; firstData: Promise<string>; request: http.ClientRequest }>((resolve) => {
        const request = http.get({ host: '127.0.0.1', port, path: '/api/v1/wall/stream', headers: rt.admin }, (res) => {
          const firstData = new Promise<string>((r) => res.once('data', (d) => r(String(d))));
          resolve({ status: res.statusCode!, firstData, request });
        });
      });
    const first = await open();
    const second = await open();
    const third = await open();
    expect([first.status, second.status, third.status]).toEqual([200, 200, 429]);
    expect(await first.firstData).toContain('retry:');
    expect(await second.firstData).toContain('retry:');
    first.request.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const again = await open(); // a closed stream frees its place
    expect(again.status).toBe(200);
    for (const s of [second, third, again]) s.request.destroy();
  });
});
