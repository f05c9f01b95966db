// Accounts benchmark (issues 11, 12): what signing in costs (the argon2id
// hash), and what authorization adds to a read: GET /api/v1/logs with an API
// key (a hash compare in memory) versus a session cookie and a personal token
// (kept fresh from ClickHouse in the background), GET /api/v1/wall and the
// /wall page with a key versus a display token, and GET /api/v1/rules (answered
// from memory) with each credential versus the open /api/v1/ui-config;
// interleaved, over loopback HTTP against a real server process.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startServerProcess } from '../test/helpers/server-process.ts';
import { tempDir } from '../test/helpers/runtime.ts';
import { percentile } from './stats.ts';

const SIGN_INS = Number(process.env.BENCH_SIGN_INS ?? 50);
const READS = Number(process.env.BENCH_READS ?? 1000);
const INITIAL = 'V!olet-Harb0ur-91';
const PASSWORD = 'Q8#lantern-Moss-2';

async function main() {
  const dataDir = tempDir('mimamori-bench-auth-');
  const config = path.join(dataDir, 'mimamori.yaml');
  fs.writeFileSync(config, 'agent: { enabled: false }\naccounts: { sign_in_attempts_per_minute: 100000 }\n');
  const server = await startServerProcess({ MIMAMORI_DATA: dataDir, MIMAMORI_CONFIG: config });
  const port = Number(new URL(server.url).port);
  const adminKey = fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const request = (method: string, urlPath: string, headers: Record<string, string>, body?: object) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: urlPath, method, agent, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end(body ? JSON.stringify(body) : undefined);
    });
  try {
    const created = await request('POST', '/api/v1/users', { authorization: `Bearer ${adminKey}` }, { id: 'bench-user', role: 'operator', display_name: 'Bench', password: INITIAL });
    if (created.status !== 201) throw new Error(`creating the user: ${created.status} ${created.body}`);
    // An account made by an administrator changes its initial password first (issue 11).
    const first = await request('POST', '/api/v1/session', {}, { id: 'bench-user', password: INITIAL });
    const changed = await request('POST', '/api/v1/session/password', { cookie: String(first.headers['set-cookie']).split(';')[0]!, 'x-csrf-token': JSON.parse(first.body).csrf_token }, { current_password: INITIAL, password: PASSWORD });
    if (changed.status !== 200) throw new Error(`changing the initial password: ${changed.status} ${changed.body}`);
    const signInMs: number[] = [];
    let cookie = '';
    for (let i = 0; i < SIGN_INS; i++) {
      const started = performance.now();
      const res = await request('POST', '/api/v1/session', {}, { id: 'bench-user', password: PASSWORD });
      signInMs.push(performance.now() - started);
      if (res.status !== 200) throw new Error(`sign-in: ${res.status} ${res.body}`);
      cookie = String(res.headers['set-cookie']).split(';')[0]!;
    }
    if (!cookie) throw new Error('no sign-in succeeded');
    const csrf = JSON.parse((await request('GET', '/api/v1/session', { cookie })).body).csrf_token as string;
    const made = async (kind: string) => JSON.parse((await request('POST', '/api/v1/tokens', { cookie, 'x-csrf-token': csrf }, { kind, name: `bench ${kind}` })).body).token as string;
    const personal = await made('personal');
    const display = await (async () => {
      const admin = { authorization: `Bearer ${adminKey}` };
      return JSON.parse((await request('POST', '/api/v1/tokens', admin, { kind: 'display', name: 'bench wall' })).body).token as string;
    })();
    const withKey: number[] = [];
    const withSession: number[] = [];
    const withToken: number[] = [];
    const wallWithKey: number[] = [];
    const wallWithDisplay: number[] = [];
    // The same check on a route answered from memory: a read of ClickHouse varies by more than
    // the check costs, so the check's own cost shows best against an open route of the same kind.
    const openRoute: number[] = [];
    const rulesWithKey: number[] = [];
    const rulesWithSession: number[] = [];
    const rulesWithToken: number[] = [];
    const pageWithKey: number[] = [];
    const pageWithDisplay: number[] = [];
    const reads: [number[], string, Record<string, string>][] = [
      [openRoute, '/api/v1/ui-config', {}],
      [rulesWithKey, '/api/v1/rules', { authorization: `Bearer ${adminKey}` }],
      [rulesWithSession, '/api/v1/rules', { cookie }],
      [rulesWithToken, '/api/v1/rules', { authorization: `Bearer ${personal}` }],
      [pageWithKey, '/wall', { authorization: `Bearer ${adminKey}` }],
      [pageWithDisplay, '/wall', { authorization: `Bearer ${display}` }],
      [withKey, '/api/v1/logs?limit=10', { authorization: `Bearer ${adminKey}` }],
      [withSession, '/api/v1/logs?limit=10', { cookie }],
      [withToken, '/api/v1/logs?limit=10', { authorization: `Bearer ${personal}` }],
      [wallWithKey, '/api/v1/wall', { authorization: `Bearer ${adminKey}` }],
      [wallWithDisplay, '/api/v1/wall', { authorization: `Bearer ${display}` }],
    ];
    for (let i = 0; i < READS; i++) {
      for (const [samples, url, headers] of reads) {
        const started = performance.now();
        const res = await request('GET', url, headers);
        samples.push(performance.now() - started);
        if (res.status !== 200) throw new Error(`read: ${res.status} ${res.body}`);
      }
    }
    const round = (n: number) => Math.round(n * 100) / 100;
    console.log(JSON.stringify({
      bench: 'auth',
      sign_ins: SIGN_INS,
      sign_in_p50_ms: round(percentile(signInMs, 50)),
      sign_in_p95_ms: round(percentile(signInMs, 95)),
      reads: READS,
      logs_with_key_p50_ms: round(percentile(withKey, 50)),
      logs_with_key_p95_ms: round(percentile(withKey, 95)),
      logs_with_session_p50_ms: round(percentile(withSession, 50)),
      logs_with_session_p95_ms: round(percentile(withSession, 95)),
      session_check_added_p95_ms: round(percentile(withSession, 95) - percentile(withKey, 95)),
      logs_with_personal_token_p95_ms: round(percentile(withToken, 95)),
      token_check_added_p95_ms: round(percentile(withToken, 95) - percentile(withKey, 95)),
      wall_with_key_p95_ms: round(percentile(wallWithKey, 95)),
      wall_with_display_token_p95_ms: round(percentile(wallWithDisplay, 95)),
      open_route_p50_ms: round(percentile(openRoute, 50)),
      open_route_p95_ms: round(percentile(openRoute, 95)),
      rules_with_key_p95_ms: round(percentile(rulesWithKey, 95)),
      rules_with_session_p95_ms: round(percentile(rulesWithSession, 95)),
      rules_with_personal_token_p95_ms: round(percentile(rulesWithToken, 95)),
      // What authorization adds at p95, against the open route answered from memory.
      key_added_p95_ms: round(percentile(rulesWithKey, 95) - percentile(openRoute, 95)),
      session_added_on_memory_route_p95_ms: round(percentile(rulesWithSession, 95) - percentile(openRoute, 95)),
      token_added_on_memory_route_p95_ms: round(percentile(rulesWithToken, 95) - percentile(openRoute, 95)),
      wall_page_with_key_p95_ms: round(percentile(pageWithKey, 95)),
      wall_page_with_display_token_p95_ms: round(percentile(pageWithDisplay, 95)),
    }));
  } finally {
    agent.destroy();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
