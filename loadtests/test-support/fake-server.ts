// A real HTTP server on 127.0.0.1 standing in for a monitored page and for
// Mimamori's upload door, recording what it was sent. It answers at most
// `limit` requests (429 after), so a script that loops cannot run away.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  /** Path and query, e.g. /api/v1/loadtests?release=REL-1 */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export const PAGE_TEXT = 'Mimamori status page: all systems normal';
export const UPLOAD_TOKEN = 'mimamori-test-ingest-token';

export interface FakeServer {
  base: string;
  requests: Recorded[];
  close(): Promise<void>;
}

function answer(req: Recorded, limit: number, count: number): { status: number; body: string; type: string } {
  const url = new URL(req.url, 'http://fake');
  if (count > limit) return { status: 429, body: 'request limit of the test server reached', type: 'text/plain' };
  if (req.method === 'GET' && url.pathname === '/page') {
    // ?status=500 makes the page fail while still sending the text.
    return { status: Number(url.searchParams.get('status') ?? 200), body: `<html><body><h1>${PAGE_TEXT}</h1></body></html>`, type: 'text/html' };
  }
  if (req.method === 'POST' && url.pathname === '/api/v1/loadtests') {
    // As Mimamori answers the upload (server/releases/routes.ts): an ingest token may upload, but not attach to a release.
    if (req.headers.authorization !== `Bearer ${UPLOAD_TOKEN}`) return { status: 401, body: JSON.stringify({ error: 'unauthorized', message: 'a valid ingest token is required', details: [] }), type: 'application/json' };
    if (url.searchParams.has('release')) return { status: 403, body: JSON.stringify({ error: 'forbidden', message: 'attaching a run to a release needs a person (operator)', details: [{ field: 'release', reason: 'needs an operator' }] }), type: 'application/json' };
    return { status: 201, body: JSON.stringify({ id: 'RUN-20261130-abc123', release: null, verdict: 'pass', criteria: [], thresholds: [] }), type: 'application/json' };
  }
  return { status: 404, body: 'not found', type: 'text/plain' };
}

export async function startFakeServer(limit = 50): Promise<FakeServer> {
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      const { status, body, type } = answer(recorded, limit, requests.length);
      res.writeHead(status, { 'content-type': type }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
