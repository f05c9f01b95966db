import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../../test/helpers/runtime.ts';
import { sql } from '../storage/sql.ts';

// The k6 upload streams under its own limits (an idle timeout and a size
// cap) instead of the general body timeout, which every other route keeps.
// Real sockets on a listening app: app.inject() has no clock on the body.
// The limits are shortened: body 1 s, upload idle 1.5 s, upload cap 64 KiB.
// One environment is configured, so an upload need not name it.

let rt: TestRuntime;
let port: number;
beforeAll(async () => {
  rt = await openTestRuntime({ yaml: 'agent: { enabled: false }\nrules: []\nenvironments: [production]\nhttp: { body_timeout: 1s, header_timeout: 1s }\nreleases: { upload_idle_timeout: 1500ms, upload_max: 64KiB }\n' });
  const address = await rt.app.listen({ host: '127.0.0.1', port: 0 });
  port = Number(new URL(address).port);
}, 60_000);
afterAll(async () => rt?.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const runsStored = async () => Number((await rt.storage.query<{ n: number }>(sql`SELECT count() AS n FROM loadtest_runs`))[0]!.n);

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of the API under test
  json: any;
  /** Milliseconds from the first byte sent to the answer. */
  afterMs: number;
  connection: string | undefined;
}

/**
 * POSTs a chunked body piece by piece, `gapMs` apart; after the last piece
 * it ends the body unless `stall` (then it waits, sending nothing). Stops
 * sending once the server has answered.
 */
function post(path: string, pieces: (string | Buffer)[], gapMs: number, stall = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let answered = false;
    const request = http.request({ host: '127.0.0.1', port, method: 'POST', path, agent: false, headers: { ...rt.admin, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
      answered = true;
      const afterMs = Date.now() - started;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'), afterMs, connection: res.headers.connection }));
    });
    request.on('error', (error) => {
      if (!answered) reject(error);
    });
    void (async () => {
      for (const piece of pieces) {
        if (answered || request.destroyed) return;
        request.write(piece);
        await sleep(gapMs);
      }
      if (!stall && !answered) request.end();
    })();
  });
}

const summaryExport = JSON.stringify({
  root_group: { name: '', path: '', id: 'r', groups: [], checks: { 'status is 200': { name: 'status is 200', path: '::status is 200', id: 'a', passes: 500, fails: 0 } } },
  metrics: {
    http_req_duration: { avg: 120, min: 20, med: 100, max: 900, 'p(90)': 200, 'p(95)': 250, 'p(99)': 600, thresholds: { 'p(95)<5000': false } },
    http_req_failed: { passes: 0, fails: 500, value: 0 },
    http_reqs: { count: 500, rate: 8.3 },
    checks: { passes: 500, fails: 0, value: 1 },
  },
});
const pieces = (text: string, n: number) => Array.from({ length: n }, (_, i) => text.slice(Math.floor((i * text.length) / n), Math.floor(((i + 1) * text.length) / n)));

describe('the k6 upload’s own limits, and the general body timeout elsewhere', () => {
  it('takes an upload that keeps sending for longer than the body timeout (filed under the one environment configured)', async () => {
    const before = await runsStored();
    const answer = await post('/api/v1/loadtests?name=slow.json', pieces(summaryExport, 12), 200);
    expect(answer.status, JSON.stringify(answer.json)).toBe(201);
    expect(answer.afterMs).toBeGreaterThan(2000); // twice http.body_timeout
    expect(answer.json).toMatchObject({ verdict: 'pass', release: null });
    expect(await runsStored()).toBe(before + 1);
    const waiting = (await rt.app.inject({ url: '/api/v1/loadtests', headers: rt.admin })).json().runs;
    expect(waiting.find((r: { id: string }) => r.id === answer.json.id)).toMatchObject({ environment: 'production', file_name: 'slow.json' });
  });

  it('answers 408 idle_timeout to an upload that stalls past the idle timeout, and stores nothing', async () => {
    const before = await runsStored();
    const answer = await post('/api/v1/loadtests?environment=production&name=stalled.json', [summaryExport.slice(0, 200)], 0, true);
    expect(answer.status).toBe(408);
    expect(answer.json).toMatchObject({ error: 'idle_timeout', details: [{ field: 'body', limit: 1500 }] });
    expect(answer.afterMs).toBeGreaterThanOrEqual(1400);
    expect(answer.afterMs).toBeLessThan(4000);
    expect(answer.connection).toBe('close');
    expect(await runsStored()).toBe(before);
  });

  it('answers 413 too_large to an upload past the size cap, and stores nothing', async () => {
    const before = await runsStored();
    const line = `${JSON.stringify({ type: 'Point', metric: 'http_req_duration', data: { time: '2026-11-30T03:00:00Z', value: 12.5, tags: { status: '200' } } })}\n`;
    const lines = line.repeat(Math.ceil((100 * 1024) / line.length));
    const answer = await post('/api/v1/loadtests?environment=production&name=big.json', pieces(lines, 25), 10);
    expect(answer.status).toBe(413);
    expect(answer.json).toMatchObject({ error: 'too_large', details: [{ field: 'body', limit: 64 * 1024 }] });
    expect(await runsStored()).toBe(before);
  });

  it('still cuts off an ordinary route’s body at http.body_timeout, with 408 body_timeout, and nothing recorded', async () => {
    const body = JSON.stringify({ environment: 'production', version: 'trickled-1', summary: 'sent slowly' });
    const answer = await post('/api/v1/releases', pieces(body, 12), 250);
    expect(answer.status).toBe(408);
    expect(answer.json).toMatchObject({ error: 'body_timeout', details: [{ field: 'body', limit: 1000 }] });
    expect(answer.afterMs).toBeGreaterThanOrEqual(900);
    expect(answer.afterMs).toBeLessThan(2500);
    expect(answer.connection).toBe('close');
    const listed = (await rt.app.inject({ url: '/api/v1/releases?environment=production', headers: rt.admin })).json().releases;
    expect(listed.map((r: { version: string }) => r.version)).not.toContain('trickled-1');
    // The same body sent at once is taken.
    expect((await post('/api/v1/releases', [body], 0)).status).toBe(201);
  });

  it('closes the connection of a request answered before its body was read, however slowly the rest trickles in', async () => {
    // No credentials: refused with 401 before the body is read; the sender keeps trickling.
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.write('POST /api/v1/loadtests?environment=production HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
    const trickle = setInterval(() => socket.writable && socket.write(' '), 100);
    const started = Date.now();
    await new Promise((resolve) => socket.on('close', resolve));
    clearInterval(trickle);
    const answer = Buffer.concat(received).toString('latin1');
    expect(answer).toMatch(/^HTTP\/1\.1 401/);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('still closes a connection whose headers never finish (http.header_timeout)', async () => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.resume();
    socket.write('POST /api/v1/releases HTTP/1.1\r\nHost: x\r\n');
    const started = Date.now();
    await new Promise((resolve) => socket.on('close', resolve));
    expect(Date.now() - started).toBeLessThan(4000); // header_timeout 1 s, checked every second
  });
});
