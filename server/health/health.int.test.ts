import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { dashboardRoutes } from '../http/dashboard.ts';
import { openTestRuntime, tempDir, type TestRuntime } from '../../test/helpers/runtime.ts';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => {
  await rt.close();
});

describe('own health (item 19)', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await rt.app.inject({ headers: rt.admin, url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await rt.app.inject({ headers: rt.admin, url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', storage: 'embedded' });
  });

  it('exposes Prometheus metrics: defaults, ingest counters, write latency, queue depth', async () => {
    const line = JSON.stringify({ timestamp: Date.now(), environment: 'production', message: 'hello' });
    await rt.app.inject({ method: 'POST', url: '/api/v1/ingest/logs', payload: line, headers: { ...rt.auth, 'content-type': 'application/x-ndjson' } });
    await rt.writer.flush();
    const res = await rt.app.inject({ headers: rt.admin, url: '/metrics' });
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    expect(text).toContain('mimamori_process_cpu_seconds_total');
    expect(text).toMatch(/mimamori_ingest_rows_total\{kind="logs"\} 1/);
    expect(text).toMatch(/mimamori_ingest_batches_total\{kind="logs"\} 1/);
    expect(text).toMatch(/mimamori_ingest_write_seconds_count\{kind="logs"\} 1/);
    expect(text).toMatch(/mimamori_storage_loaded_rows_total\{kind="logs"\} 1/);
    expect(text).toMatch(/mimamori_ingest_queue_bytes\{kind="logs"\} 0/);
  });

  it('serves the OpenAPI document and its UI at /api/docs', async () => {
    const doc = (await rt.app.inject({ headers: rt.admin, url: '/api/docs/json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/ingest/logs', '/api/v1/ingest/metrics', '/api/v1/ingest/probes', '/api/v1/logs', '/api/v1/series', '/healthz', '/readyz']));
    expect(doc.paths['/api/v1/ingest/probes'].post.requestBody.content['application/json'].schema.items.required).toContain('total_ms');
    expect((await rt.app.inject({ headers: rt.admin, url: '/api/docs/' })).statusCode).toBe(200);
  });

  it('serves the built dashboard on / and its page paths, assets cached for good', async () => {
    const res = await rt.app.inject({ headers: rt.admin, url: '/' });
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('Mimamori');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(res.body)![1]!;
    const asset = await rt.app.inject({ headers: rt.admin, url: script });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await rt.app.inject({ headers: rt.admin, url: '/incidents/INC-2026-0001' })).body).toBe(res.body);
    expect((await rt.app.inject({ headers: rt.admin, url: '/wall' })).body).toBe(res.body);
  });

  it('without a dashboard build, / says that Mimamori runs and links the API docs', async () => {
    const app = Fastify();
    await app.register(dashboardRoutes, { dist: tempDir() });
    const res = await app.inject({ url: '/' });
    expect(res.body).toContain('href="/api/docs"');
    await app.close();
  });

  it('answers unknown routes and bad read queries with the error shape', async () => {
    const missing = await rt.app.inject({ headers: rt.admin, url: '/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'not_found' });
    const badStep = await rt.app.inject({ headers: rt.admin, url: '/api/v1/series?source=probes&environment=production&target=x&step=0' });
    expect(badStep.statusCode).toBe(400);
    expect(badStep.json().details[0].field).toContain('step');
    expect((await rt.app.inject({ headers: rt.admin, url: '/api/v1/logs?from=0&limit=0' })).json()).toEqual({ total: 1, rows: [] });
    expect((await rt.app.inject({ headers: rt.admin, url: '/api/v1/logs?from=-5' })).statusCode).toBe(400);
    const badTime = await rt.app.inject({ headers: rt.admin, url: '/api/v1/logs?from=yesterday' });
    expect(badTime.json()).toMatchObject({ error: 'invalid_time', details: [{ field: 'from' }] });
  });

  it('shows a browser a page in Japanese and English where a program gets JSON', async () => {
    const browser = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
    const missing = await rt.app.inject({ url: '/no-such-page', headers: browser });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('text/html');
    expect(missing.body).toContain('ページが見つかりません');
    expect(missing.body).toContain('Page not found');
    expect(missing.body).not.toContain('"error"');
    // A broken acknowledge link from a mail, opened in a browser: a page that says so, and nothing changes.
    const badAck = await rt.app.inject({ url: '/ack/INC-2026-9999?r=ops&exp=1&sig=forged', headers: browser });
    expect(badAck.statusCode).toBe(403);
    expect(badAck.body).toContain('このリンクは使えません');
    expect(badAck.body).toContain('This link cannot be used');
    // The API keeps its JSON, also for a browser.
    const api = await rt.app.inject({ url: '/api/v1/nope', headers: { ...browser, ...rt.admin } });
    expect(api.json()).toMatchObject({ error: 'not_found' });
  });
});
