import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { startServerProcess } from '../helpers/server-process.ts';
import { tempDir } from '../helpers/runtime.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'mimamori.js');

describe('mimamori CLI', () => {
  it('`report monthly` writes last month\'s report as XLSX and one table as CSV with a byte-order mark; `report annual` shows its progress', async () => {
    const dataDir = tempDir();
    const server = await startServerProcess({ MIMAMORI_DATA: dataDir });
    const env = { ...process.env, MIMAMORI_DATA: dataDir, MIMAMORI_URL: server.url };
    // Last month on the Tokyo wall clock, and three probes on its 10th.
    const tokyo = new Date(Date.now() + 9 * 3_600_000);
    const last = new Date(Date.UTC(tokyo.getUTCFullYear(), tokyo.getUTCMonth() - 1, 10, 3));
    const month = last.toISOString().slice(0, 7);
    const probes = [0, 1, 2].map((i) => ({ timestamp: last.getTime() + i * 60_000, environment: 'production', target: 'cli-target', url: 'https://example.jp/', ok: true, status: 200, total_ms: 100 + i * 100 }));
    try {
      const stored = await server.ingest('probes', probes);
      expect(stored.status).toBe(200);
      await new Promise((r) => setTimeout(r, 600));
      const out = path.join(dataDir, 'report.xlsx');
      const written = await run(process.execPath, [BIN, 'report', 'monthly', '--month', month, '--environment', 'production', '--format', 'xlsx', '--lang', 'en', '--out', out], { env });
      expect(written.stderr).toContain(`wrote ${out}`);
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile(out);
      const targets = book.getWorksheet('Availability and response time')!;
      expect(targets.getRow(2).values).toEqual(expect.arrayContaining(['cli-target', 3]));
      const csv = await run(process.execPath, [BIN, 'report', 'monthly', '--month', month, '--format', 'csv', '--table', 'targets'], { env, encoding: 'buffer' });
      expect([...(csv.stdout as unknown as Buffer).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect((csv.stdout as unknown as Buffer).toString('utf8')).toContain('監視対象');
      // The twelve months up to this one, with the progress on stderr.
      const first = new Date(Date.UTC(tokyo.getUTCFullYear(), tokyo.getUTCMonth() - 11, 1)).toISOString().slice(0, 7);
      const page = path.join(dataDir, 'annual.html');
      const annual = await run(process.execPath, [BIN, 'report', 'annual', '--from', first, '--format', 'html', '--out', page], { env });
      expect(annual.stderr).toContain('12/12 months');
      expect(annual.stderr).toContain(`wrote ${page}`);
      expect(fs.readFileSync(page, 'utf8')).toContain('cli-target');
      const refused = await run(process.execPath, [BIN, 'report', 'monthly', '--month', '2026-13'], { env }).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('400: month must be a month as YYYY-MM');
    } finally {
      await server.stop();
    }
  });

  it('sends a file through the running server, searches it, and reads the data directory directly once the server is gone', async () => {
    const dataDir = tempDir();
    const server = await startServerProcess({ MIMAMORI_DATA: dataDir });
    const env = { ...process.env, MIMAMORI_DATA: dataDir, MIMAMORI_URL: server.url };
    const file = path.join(dataDir, 'lines.ndjson');
    const now = Date.now();
    fs.writeFileSync(file, Array.from({ length: 12 }, (_, i) => JSON.stringify({ timestamp: now - i * 1000, environment: 'staging', service: 'cli', level: i < 3 ? 'error' : 'info', message: `cli line ${i}` })).join('\n'));
    try {
      const sent = await run(process.execPath, [BIN, 'ingest', 'logs', file, '--batch', '5'], { env });
      expect(sent.stderr).toContain('stored 12 logs records');
      await new Promise((r) => setTimeout(r, 600)); // one flush interval and then some
      const viaServer = JSON.parse((await run(process.execPath, [BIN, 'logs', '--service', 'cli', '--level', 'error', '--json'], { env })).stdout);
      expect(viaServer.total).toBe(3);
      expect(viaServer.rows[0].message).toBe('cli line 0');
      const bad = await run(process.execPath, [BIN, 'ingest', 'metrics', file], { env }).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/batch starting at line 1: 400: invalid record at line 1, field "name"/);
    } finally {
      await server.stop();
    }
    const direct = await run(process.execPath, [BIN, 'logs', '--service', 'cli', '--json'], { env });
    expect(direct.stderr).toContain('reading');
    expect(JSON.parse(direct.stdout).total).toBe(12);
  });

  it('`wal inspect` lists requests an older version had set aside, and `wal retry` sends them through the judge again', async () => {
    const dataDir = tempDir();
    const failed = path.join(dataDir, 'wal', 'logs', 'failed');
    fs.mkdirSync(failed, { recursive: true });
    const now = Date.now();
    const record = (request: number, reason: string) => ({ kind: 'logs', segment: '00001796000000000-old-000001', request, rows: 1, bytes: 0, token: 'portal-app', idempotency_key: '', received_at: new Date(now).toISOString(), set_aside_at: new Date(now).toISOString(), code: 25, reason });
    const base = (request: number) => path.join(failed, `00001796000000000-old-000001-r0000${request}`);
    // Accepted by the version before the judge, refused by the engine: an unpaired surrogate, and a duplicate key.
    fs.writeFileSync(`${base(0)}.ndjson`, `{"timestamp":${now},"environment":"production","service":"recovered","message":"a \\ud800 b"}\n`);
    fs.writeFileSync(`${base(0)}.json`, JSON.stringify(record(0, 'CANNOT_PARSE_ESCAPE_SEQUENCE (25): Incorrect surrogate pair')));
    fs.writeFileSync(`${base(1)}.ndjson`, `{"timestamp":${now},"environment":"production","service":"recovered","message":"a","message":"b"}\n`);
    fs.writeFileSync(`${base(1)}.json`, JSON.stringify(record(1, 'INCORRECT_DATA (117): Duplicate field')));
    const server = await startServerProcess({ MIMAMORI_DATA: dataDir });
    const env = { ...process.env, MIMAMORI_DATA: dataDir, MIMAMORI_URL: server.url };
    try {
      const inspect = await run(process.execPath, [BIN, 'wal', 'inspect', '--lines', '1'], { env });
      expect(inspect.stdout).toContain('logs/00001796000000000-old-000001-r00000  1 rows');
      expect(inspect.stdout).toContain('from portal-app');
      expect(inspect.stdout).toContain('refused: CANNOT_PARSE_ESCAPE_SEQUENCE (25)');
      expect(inspect.stdout).toContain('2 set-aside request(s)');
      const retry = await run(process.execPath, [BIN, 'wal', 'retry'], { env }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
      expect(retry.code).toBe(1); // one of the two is still refused, now by the judge, with the reason
      expect(retry.stdout).toContain('logs/00001796000000000-old-000001-r00000: requeued (1 rows)');
      expect(retry.stdout).toMatch(/r00001: refused: invalid record at line 1, field "message": the key appears twice/);
      await new Promise((r) => setTimeout(r, 600));
      const stored = JSON.parse((await run(process.execPath, [BIN, 'logs', '--service', 'recovered', '--json'], { env })).stdout);
      expect(stored.rows.map((r: { message: string }) => r.message)).toEqual(['a \uFFFD b']);
      expect(fs.readdirSync(failed).sort()).toEqual(['00001796000000000-old-000001-r00001.json', '00001796000000000-old-000001-r00001.ndjson']);
      const anonymous = await run(process.execPath, [BIN, 'wal', 'inspect'], { env: { ...env, MIMAMORI_API_KEY: 'not-a-key-of-this-server' } }).catch((e: { stderr: string }) => e);
      expect(anonymous.stderr).toContain('401');
    } finally {
      await server.stop();
    }
  });

  it('a fresh start prints the one-time setup link; `user add` creates accounts from standard input; `user list` and `user disable` manage them', async () => {
    const dataDir = tempDir();
    const server = await startServerProcess({ MIMAMORI_DATA: dataDir, LOG_LEVEL: 'info' });
    const env = { ...process.env, MIMAMORI_DATA: dataDir, MIMAMORI_URL: server.url };
    const withStdin = (args: string[], input: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(process.execPath, [BIN, ...args], { env }, (error, stdout, stderr) => resolve({ code: error ? (error as { code?: number }).code ?? 1 : 0, stdout, stderr }));
        child.stdin!.end(input);
      });
    try {
      const link = fs.readFileSync(path.join(dataDir, 'setup-link'), 'utf8').trim();
      expect(link).toMatch(/^http:\/\/localhost:\d+\/setup#[\w-]{20,}$/);
      expect(server.output()).toContain(link); // printed on the console at start
      expect(fs.readFileSync(path.join(dataDir, 'logs', 'mimamori.log'), 'utf8')).not.toContain(link.split('#')[1]); // never in the log file
      const weak = await withStdin(['user', 'add', 'ksato', '--admin', '--name', '佐藤 健'], 'sato12345\n');
      expect(weak.code).toBe(1);
      expect(weak.stderr).toMatch(/400/);
      const added = await withStdin(['user', 'add', 'ksato', '--admin', '--name', '佐藤 健', '--family-kana', 'さとう'], 'V!olet-Harb0ur-91\n');
      expect(added.stdout).toContain('created ksato (admin)');
      expect((await withStdin(['user', 'add', 'op1', '--role', 'operator'], 'Q8#lantern-Moss-2\n')).code).toBe(0);
      const list = await run(process.execPath, [BIN, 'user', 'list'], { env });
      expect(list.stdout).toMatch(/ksato\s+admin\s+佐藤 健\s+\[enabled, must change password\]/);
      expect(list.stdout).toMatch(/op1\s+operator/);
      await run(process.execPath, [BIN, 'user', 'disable', 'op1'], { env });
      const users = JSON.parse((await run(process.execPath, [BIN, 'user', 'list', '--json'], { env })).stdout) as { id: string; enabled: boolean }[];
      expect(users.find((u) => u.id === 'op1')!.enabled).toBe(false);
      // The CLI's own credential is the API key, not the agent's ingest token.
      const denied = await run(process.execPath, [BIN, 'user', 'list'], { env: { ...env, MIMAMORI_API_KEY: 'not-a-key-0123456789' } }).catch((e: { stderr: string }) => e);
      expect(denied.stderr).toContain('401');
    } finally {
      await server.stop();
    }
  });

  it('`token add` prints a display, ingest or personal token once; each opens only its door; `token revoke` closes it within a second', async () => {
    const dataDir = tempDir();
    const server = await startServerProcess({ MIMAMORI_DATA: dataDir });
    const env = { ...process.env, MIMAMORI_DATA: dataDir, MIMAMORI_URL: server.url };
    const cli = async (...args: string[]) => (await run(process.execPath, [BIN, ...args], { env })).stdout.trim();
    try {
      const added = await new Promise<string>((resolve) => {
        const child = execFile(process.execPath, [BIN, 'user', 'add', 'reader', '--role', 'viewer'], { env }, (_e, stdout) => resolve(stdout));
        child.stdin!.end('V!olet-Harb0ur-91\n');
      });
      expect(added).toContain('created reader');
      const display = await cli('token', 'add', '--display', 'wall 3F');
      const ingest = await cli('token', 'add', '--ingest', 'web-1 agent');
      const personal = await cli('token', 'add', '--personal', 'report script', '--user', 'reader');
      expect([display, ingest, personal].map((t) => t.slice(0, 5))).toEqual(['mimd_', 'mimi_', 'mimp_']);
      const get = (url: string, token: string) => fetch(`${server.url}${url}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
      const probe = (token: string) => fetch(`${server.url}/api/v1/ingest/probes`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify([{ timestamp: Date.now(), environment: 'production', target: 't', ok: true, total_ms: 5 }]) }).then((r) => r.status);
      expect(await get('/api/v1/wall', display)).toBe(200);
      expect(await get('/api/v1/logs', display)).toBe(401);
      expect(await probe(ingest)).toBe(200);
      expect(await get('/api/v1/logs', ingest)).toBe(401);
      expect(await get('/api/v1/logs', personal)).toBe(200);
      expect(await get('/api/v1/users', personal)).toBe(403); // a viewer's token
      const listed = await cli('token', 'list');
      expect(listed).toMatch(/display\s+wall 3F/);
      expect(listed).toMatch(/personal report script {2}owner reader \(viewer\) {2}last used 20/);
      const secret = display.split('_').slice(2).join('_'); // base64url: the secret may hold "_" itself
      expect(secret.length).toBeGreaterThanOrEqual(32);
      expect(listed).not.toContain(secret); // never the secret
      const id = ingest.split('_')[1]!;
      expect(await cli('token', 'revoke', id)).toBe(`${id}: revoked`);
      expect(await probe(ingest)).toBe(401);
    } finally {
      await server.stop();
    }
  });
});
