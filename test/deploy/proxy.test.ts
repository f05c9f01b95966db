import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/server-process.ts';
import { tempDir } from '../helpers/runtime.ts';
import { ROOT } from './compose-support.ts';

// The cluster profile's reverse proxy (deploy/nginx/cluster.conf) run by a
// real nginx (Debian's; the compose file pins the official image of a later
// stable release, which reads these directives the same), with three small
// HTTP servers standing in for the primary and the two replicas on 127.0.0.1.
const NGINX = '/usr/sbin/nginx';
const NAMES = ['mimamori-primary', 'mimamori-replica-1', 'mimamori-replica-2'] as const;
type Name = (typeof NAMES)[number];
const servers = new Map<Name, http.Server>();
let nginx: ChildProcess;
let base: string;

beforeAll(async () => {
  const dir = tempDir('mimamori-proxy-');
  let conf = fs.readFileSync(path.join(ROOT, 'deploy/nginx/cluster.conf'), 'utf8');
  for (const name of NAMES) {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name, method: req.method, url: req.url })));
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    servers.set(name, server);
    conf = conf.replaceAll(`${name}:8080`, `127.0.0.1:${port}`);
  }
  const port = await freePort();
  conf = conf.replace(/listen 8080;/, `listen 127.0.0.1:${port};`);
  expect(conf).not.toMatch(/mimamori-(primary|replica)/);
  fs.writeFileSync(path.join(dir, 'cluster.conf'), conf);
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `daemon off;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp {\n  access_log off;\n  client_body_temp_path ${dir}/body;\n  proxy_temp_path ${dir}/proxy;\n  include ${dir}/cluster.conf;\n}\n`);
  nginx = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'ignore' });
  base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${base}/readyz`).then(() => true, () => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx did not start: ${fs.existsSync(`${dir}/error.log`) ? fs.readFileSync(`${dir}/error.log`, 'utf8') : ''}`);
}, 20_000);
afterAll(async () => {
  nginx?.kill('SIGQUIT');
  for (const s of servers.values()) s.close();
});

const who = async (method: string, url: string) => ((await (await fetch(`${base}${url}`, { method, ...(method === 'POST' ? { body: '{}', headers: { 'content-type': 'application/json' } } : {}) })).json()) as { name: Name; url: string }).name;

describe('the cluster proxy (deploy/nginx/cluster.conf)', () => {
  it('sends log search and series to the replicas in turn, telemetry to a replica, and everything else to the primary', async () => {
    const reads = [await who('GET', '/api/v1/logs?level=error'), await who('GET', '/api/v1/series?kind=probe'), await who('GET', '/api/v1/logs'), await who('GET', '/api/v1/series')];
    expect(new Set(reads)).toEqual(new Set(['mimamori-replica-1', 'mimamori-replica-2']));
    expect(['mimamori-replica-1', 'mimamori-replica-2']).toContain(await who('POST', '/api/v1/ingest/logs'));
    expect(['mimamori-replica-1', 'mimamori-replica-2']).toContain(await who('POST', '/api/v1/faro/collect'));
    // State the primary keeps (alerts, tickets, requests, the wall) and every change.
    for (const read of ['/api/v1/wall', '/api/v1/tickets', '/api/v1/alerts', '/api/v1/requests/REQ-1', '/ack/INC-2026-0001', '/', '/assets/index.js']) expect(await who('GET', read), read).toBe('mimamori-primary');
    for (const change of ['/api/v1/session', '/api/v1/tickets', '/api/v1/requests/REQ-1/approve', '/api/v1/users']) expect(await who('POST', change), change).toBe('mimamori-primary');
    expect(await who('PUT', '/api/v1/workarounds/W-1')).toBe('mimamori-primary');
    expect(await who('DELETE', '/api/v1/silences/S-1')).toBe('mimamori-primary');
  });

  it('reads and telemetry fall back to the primary when both replicas are gone', async () => {
    for (const name of ['mimamori-replica-1', 'mimamori-replica-2'] as const) await new Promise((resolve) => servers.get(name)!.close(resolve));
    expect(await who('GET', '/api/v1/logs')).toBe('mimamori-primary');
    expect(await who('POST', '/api/v1/ingest/probes')).toBe('mimamori-primary');
  });
});
