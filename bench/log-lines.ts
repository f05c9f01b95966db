// Realistic log lines and a keep-alive POST for the ingest benchmarks.
import http from 'node:http';

const HOSTS = ['web-1', 'web-2', 'web-3', 'ap-1'];
const PATHS = ['/', '/news/2026/11/notice.html', '/api/v1/members/search', '/login', '/static/app.js', '/grants/apply'];
export function line(i: number, start: number): string {
  const r = (i * 2654435761) >>> 0;
  const level = r % 100 < 3 ? 'ERROR' : r % 100 < 9 ? 'WARN' : r % 100 < 10 ? 'DEBUG' : 'INFO';
  const service = ['portal', 'api', 'batch', 'nginx'][r % 4]!;
  const message =
    level === 'ERROR'
      ? `request failed: upstream timed out after 5000 ms (path=${PATHS[r % 6]} request_id=${r.toString(16)})`
      : `${['GET', 'POST'][r % 2]} ${PATHS[(r >> 3) % 6]} ${[200, 200, 302, 404][r % 4]} ${(r % 900) + 3}ms user=${r % 5000}`;
  return JSON.stringify({ timestamp: start + Math.floor(i / 600), environment: r % 10 === 0 ? 'staging' : 'production', host: HOSTS[r % 4], service, level, message, attributes: { request_id: r.toString(16), bytes: r % 20000 } });
}

// node:http with keep-alive costs the load generator less CPU than fetch,
// leaving more of the shared 2 cores to the server under test.
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
export function post(url: string, headers: Record<string, string>, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`ingest answered ${res.statusCode}: ${Buffer.concat(chunks)}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}
