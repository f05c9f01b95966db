import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startServerProcess } from '../helpers/server-process.ts';
import { tempDir } from '../helpers/runtime.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'mimamori.js');

/** `--out json` lines of a slow run: 200 requests, every tenth at 6 s, so p95 is over the 5 s criterion. */
function jsonLines(): string {
  const lines = [
    { type: 'Metric', metric: 'http_req_duration', data: { name: 'http_req_duration', type: 'trend', contains: 'time', thresholds: ['p(95)<5000'], submetrics: null } },
    { type: 'Metric', metric: 'http_reqs', data: { name: 'http_reqs', type: 'counter', contains: 'default', thresholds: [], submetrics: null } },
    { type: 'Metric', metric: 'http_req_failed', data: { name: 'http_req_failed', type: 'rate', contains: 'default', thresholds: ['rate<0.01'], submetrics: null } },
  ];
  const start = Date.parse('2026-11-30T01:00:00Z');
  for (let i = 0; i < 200; i++) {
    const time = new Date(start + i * 100).toISOString();
    lines.push({ type: 'Point', metric: 'http_reqs', data: { time, value: 1, tags: { status: '200' } } } as never);
    lines.push({ type: 'Point', metric: 'http_req_duration', data: { time, value: i % 10 === 0 ? 6000 : 200, tags: { status: '200' } } } as never);
    lines.push({ type: 'Point', metric: 'http_req_failed', data: { time, value: 0, tags: { status: '200' } } } as never);
  }
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

describe('mimamori release and loadtest commands', () => {
  it('`release add`, `loadtest upload --release` of gzipped --out json lines (verdict printed, exit 2 on fail), `release list`', async () => {
    const dataDir = tempDir();
    const server = await startServerProcess({ MIMAMORI_DATA: dataDir });
    const env = { ...process.env, MIMAMORI_DATA: dataDir, MIMAMORI_URL: server.url };
    try {
      const added = await run(process.execPath, [BIN, 'release', 'add', '--environment', 'production', '--version', '2.4.0', '--summary', 'お知らせ機能'], { env });
      const [id, version] = added.stdout.trim().split('\t');
      expect([id, version]).toEqual([expect.stringMatching(/^REL-\d{8}-[0-9a-f]{6}$/), '2.4.0']);
      const file = path.join(dataDir, 'points.json.gz');
      fs.writeFileSync(file, gzipSync(jsonLines()));
      const uploaded = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [BIN, 'loadtest', 'upload', '--release', id!, file], { env }, (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
      });
      expect(uploaded.stderr).toContain('uploaded in');
      expect(uploaded.stdout).toMatch(new RegExp(`^RUN-\\d{8}-[0-9a-f]{6}\\tfail\\tattached to ${id}`));
      // p95 is 6000 ms; streamed lines are summarised in a sketch of about 1 % relative error.
      const p95 = Number(/FAIL p95_ms ([\d.]+) \(limit 5000\)/.exec(uploaded.stdout)?.[1]);
      expect(Math.abs(p95 - 6000) / 6000).toBeLessThan(0.02);
      expect(uploaded.stdout).toContain('FAIL k6 http_req_duration: p(95)<5000');
      expect(uploaded.code).toBe(2);
      const listed = await run(process.execPath, [BIN, 'release', 'list', '--environment', 'production'], { env });
      expect(listed.stdout.trim().split('\t')).toEqual([id, 'production', '2.4.0', expect.any(String), 'fail', 'undecided']);
    } finally {
      await server.stop();
    }
  });

  it('`loadtest list` shows the run CI left waiting, `loadtest attach --release` attaches it (verdict printed), and `release decide` needs a comment', async () => {
    const dataDir = tempDir();
    const server = await startServerProcess({ MIMAMORI_DATA: dataDir });
    const env = { ...process.env, MIMAMORI_DATA: dataDir, MIMAMORI_URL: server.url };
    const cli = (...args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, ...args], { env }, (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
    });
    try {
      const id = (await cli('release', 'add', '--environment', 'production', '--version', '2.5.0', '--summary', '検索の改善')).stdout.split('\t')[0]!;
      // CI posts its --out json lines with the ingest token: the run waits, unattached.
      const token = fs.readFileSync(path.join(dataDir, 'ingest-token'), 'utf8').trim();
      const posted = await fetch(`${server.url}/api/v1/loadtests?environment=production&name=ci.ndjson`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: jsonLines() });
      expect(posted.status).toBe(201);
      const { id: runId } = (await posted.json()) as { id: string };

      const waiting = await cli('loadtest', 'list', '--unattached', '--environment', 'production');
      expect(waiting.code).toBe(0);
      expect(waiting.stdout.trim().split('\t')).toEqual([runId, 'production', '-', 'fail', expect.stringMatching(/^\d{4}-\d\d-\d\dT/), 'ci.ndjson']);
      expect((await cli('loadtest', 'list', '--unattached', '--environment', 'staging')).stdout).toBe('');

      const attached = await cli('loadtest', 'attach', '--release', id, runId);
      expect(attached.stdout).toMatch(new RegExp(`^${runId}\\tfail\\tattached to ${id}\n`));
      expect(attached.stdout).toContain('FAIL k6 http_req_duration: p(95)<5000');
      expect(attached.code).toBe(2);
      expect((await cli('loadtest', 'list', '--unattached')).stdout).toBe('');
      expect((await cli('loadtest', 'list')).stdout.trim().split('\t').slice(0, 4)).toEqual([runId, 'production', id, 'fail']);
      // A run the server does not know is refused, and the CLI says so.
      const again = await cli('loadtest', 'attach', '--release', id, 'RUN-20000101-000000');
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/404/);

      const bare = await cli('release', 'decide', id, '--decision', 'go');
      expect(bare.code).toBe(1);
      expect(bare.stderr).toContain("required option '-c, --comment <text>' not specified");
      const decided = await cli('release', 'decide', id, '--decision', 'go_with_conditions', '--comment', '本番投入後 1 時間は p95 を監視');
      expect(decided.code).toBe(0);
      expect(JSON.parse(decided.stdout)).toMatchObject({ decision: 'go_with_conditions', comment: '本番投入後 1 時間は p95 を監視' });
    } finally {
      await server.stop();
    }
  });
});
