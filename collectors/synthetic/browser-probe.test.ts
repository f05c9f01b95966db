import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeBrowser, CHROMIUM } from './browser-probe.ts';
import { HttpProbeCollector } from './collector.ts';
import type { TargetConfig } from '../config.ts';
import type { Sink } from '../core/types.ts';
import { ensureDebianProgram } from '../../test/helpers/debian.ts';

// Debian's Chromium, driven by playwright-core, against a page on 127.0.0.1
// whose main picture arrives late: the load event waits for it.
let server: http.Server;
let base: string;

beforeAll(async () => {
  ensureDebianProgram(CHROMIUM, 'chromium');
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
  server = http.createServer((req, res) => {
    if (req.url === '/hero.png') return void setTimeout(() => res.writeHead(200, { 'content-type': 'image/png' }).end(png), 700);
    if (req.url === '/missing') return void res.writeHead(404).end('nope');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>財団</title><h1>財団ポータル</h1><img src="/hero.png" width="600" height="400">');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 600_000);
afterAll(() => server?.close());

const target = (url: string, extra: Partial<TargetConfig> = {}): TargetConfig => ({
  name: 'portal', url, environment: 'production', method: 'GET', headers: {}, intervalMs: 30_000, timeoutMs: 15_000, thresholdMs: 5_000, expect: {}, insecureTls: false, browser: true, ...extra,
});

describe('browser probe', () => {
  it('measures navigation to the load event (waiting for the late image) and the largest contentful paint', async () => {
    const r = await probeBrowser(target(`${base}/`, { expect: { contains: '財団ポータル' } }));
    expect(r).toMatchObject({ ok: true, status: 200, error: '' });
    expect(r.ttfb_ms).toBeGreaterThan(0);
    expect(r.total_ms).toBeGreaterThanOrEqual(700);
    expect(r.lcp_ms).toBeGreaterThan(0);
  });

  it('fails on an error status or a missing keyword', async () => {
    expect(await probeBrowser(target(`${base}/missing`))).toMatchObject({ ok: false, status: 404, error: 'HTTP 404' });
    expect((await probeBrowser(target(`${base}/`, { expect: { contains: 'メンテナンス' } }))).error).toContain('not found in the page');
  });

  it('spools a probe row and the LCP metric for a target marked browser: true', async () => {
    const written: { kind: string; record: Record<string, unknown> }[] = [];
    const sink: Sink = { write: async (kind, lines) => void written.push(...lines.map((l) => ({ kind, record: JSON.parse(l) }))) };
    await new HttpProbeCollector({ environment: 'production', host: 'agent' }, target(`${base}/`)).collect(sink, Date.now());
    expect(written.find((w) => w.kind === 'probes')!.record).toMatchObject({ target: 'portal', ok: true, status: 200 });
    expect(written.find((w) => w.record.name === 'browser_lcp_ms')).toBeDefined();
  });
});
