import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeHttp } from './http-probe.ts';
import type { TargetConfig } from '../config.ts';
import { tempDir } from '../../test/helpers/runtime.ts';
import { freePort } from '../../test/helpers/server-process.ts';

// Real HTTP(S) servers on 127.0.0.1: fast, slow (6 s), failing, wrong body, TLS with a self-signed certificate.
let plain: http.Server;
let tls: https.Server;
let base: string;
let tlsBase: string;

beforeAll(async () => {
  const handler: http.RequestListener = (req, res) => {
    if (req.url === '/slow') return void setTimeout(() => res.end('財団 slow but fine'), 6000);
    if (req.url === '/fail') return void res.writeHead(500).end('oops');
    res.end('財団 portal');
  };
  plain = http.createServer(handler);
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  const dir = tempDir();
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '30', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
  tls = https.createServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) }, handler);
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
  tlsBase = `https://localhost:${(tls.address() as AddressInfo).port}`;
});
afterAll(() => {
  plain.closeAllConnections();
  plain.close();
  tls.closeAllConnections();
  tls.close();
});

const target = (url: string, extra: Partial<TargetConfig> = {}): TargetConfig => ({
  name: 't', url, environment: 'production', method: 'GET', headers: {}, intervalMs: 30_000, timeoutMs: 10_000, thresholdMs: 5_000, expect: {}, insecureTls: false, ...extra,
});

describe('HTTP probe', () => {
  it('measures a fast target with its phases', async () => {
    const r = await probeHttp(target(`${base}/`, { expect: { status: 200, contains: '財団' } }));
    expect(r).toMatchObject({ ok: true, status: 200, error: '' });
    expect(r.connect_ms).toBeGreaterThanOrEqual(0);
    expect(r.ttfb_ms).toBeGreaterThan(0);
    expect(r.total_ms).toBeGreaterThanOrEqual(r.ttfb_ms!);
  });

  it('reports a 6-second answer as crossing 5 s at 5 s, then measures it in full', async () => {
    const crossed: number[] = [];
    const started = Date.now();
    const r = await probeHttp(target(`${base}/slow`), () => crossed.push(Date.now() - started));
    expect(crossed).toHaveLength(1);
    expect(crossed[0]).toBeGreaterThanOrEqual(4990);
    expect(crossed[0]).toBeLessThan(5500);
    expect(r.ok).toBe(true);
    expect(r.total_ms).toBeGreaterThanOrEqual(5990);
    expect(r.total_ms).toBeLessThan(7000);
  });

  it('fails on a 500, a missing keyword, a refused connection and a timeout, saying why', async () => {
    expect(await probeHttp(target(`${base}/fail`))).toMatchObject({ ok: false, status: 500, error: 'HTTP 500' });
    expect(await probeHttp(target(`${base}/`, { expect: { contains: 'maintenance' } }))).toMatchObject({ ok: false, status: 200, error: 'keyword "maintenance" not found in the answer' });
    expect(await probeHttp(target(`${base}/`, { expect: { regex: /^nope/ } }))).toMatchObject({ ok: false });
    const refused = await probeHttp(target(`http://127.0.0.1:${await freePort()}/`));
    expect(refused).toMatchObject({ ok: false, status: 0 });
    expect(refused.error).toContain('ECONNREFUSED');
    const cut = await probeHttp(target(`${base}/slow`, { timeoutMs: 300, thresholdMs: 100 }));
    expect(cut).toMatchObject({ ok: false, error: 'no complete answer within 300 ms' });
  });

  it('reports TLS time and certificate days left; refuses a self-signed certificate unless told not to', async () => {
    const strict = await probeHttp(target(`${tlsBase}/`));
    expect(strict.ok).toBe(false);
    expect(strict.error).toMatch(/self-signed/);
    const r = await probeHttp(target(`${tlsBase}/`, { insecureTls: true }));
    expect(r).toMatchObject({ ok: true, status: 200 });
    expect(r.dns_ms).toBeGreaterThanOrEqual(0);
    expect(r.tls_ms).toBeGreaterThan(0);
    expect(r.certificate_days_left).toBeGreaterThanOrEqual(29);
    expect(r.certificate_days_left).toBeLessThanOrEqual(30);
  });
});
