import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startServerProcess } from '../helpers/server-process.ts';
import { tempDir } from '../helpers/runtime.ts';
import { peopleWithTokens } from '../helpers/accounts.ts';
import { openStorage } from '../../server/storage/client.ts';
import { sql } from '../../server/storage/sql.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'mimamori.js');
const outcome = (p: Promise<{ stdout: string; stderr: string }>) => p.then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => e);

describe('the audit trail and four-eyes requests from the CLI', () => {
  it('`request create` asks, `request approve` runs an export only for someone else with the role; `audit verify` proves the chain, and names the first entry a tampering broke', async () => {
    const dataDir = tempDir();
    const server = await startServerProcess({ MIMAMORI_DATA: dataDir });
    const tokens = await peopleWithTokens(server.url, server.adminKey, [['op1', 'operator'], ['appr', 'approver']]);
    const as = (who: string) => ({ ...process.env, MIMAMORI_DATA: dataDir, MIMAMORI_URL: server.url, MIMAMORI_API_KEY: tokens[who] });
    try {
      const asked = await run(process.execPath, [BIN, 'request', 'create', 'export.audit', '--param', `to=${new Date(Date.now() + 60_000).toISOString()}`, '--reason', 'quarterly review'], { env: as('op1') });
      const id = /^(REQ-[\w-]+)\s+pending\s+export\.audit/.exec(asked.stdout)?.[1] ?? '';
      expect(id, asked.stdout).not.toBe('');
      const bad = await outcome(run(process.execPath, [BIN, 'request', 'create', 'export.telemetry', '--param', 'kind=passwords', '--reason', 'x'], { env: as('op1') }));
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('kind: one of logs, metrics, probes');
      const own = await outcome(run(process.execPath, [BIN, 'request', 'approve', id], { env: as('op1') }));
      expect(own.code).toBe(1);
      expect(own.stderr).toContain('403');
      const approved = await run(process.execPath, [BIN, 'request', 'approve', id], { env: as('appr') });
      expect(approved.stdout).toMatch(new RegExp(`${id}\\s+ran\\s+export\\.audit`));
      const out = tempDir();
      const downloaded = await run(process.execPath, [BIN, 'request', 'download', id, '--out', out], { env: as('op1') });
      expect(downloaded.stdout.trim()).toBe(path.join(out, 'audit.csv'));
      // The range is fixed when asked (the approver approves exactly that); it reaches a minute ahead, so the request itself is in it.
      const csv = fs.readFileSync(path.join(out, 'audit.csv'), 'utf8');
      expect(csv).toContain('"op1","operator","token","127.0.0.1","POST /api/v1/requests"');
      expect(csv).toMatch(/"op1","operator","token","127\.0\.0\.1","POST \/api\/v1\/requests\/:id\/approve","\{""id"":""REQ-[\w-]+""\}","refused",403/);
      const intact = await run(process.execPath, [BIN, 'audit', 'verify'], { env: { ...process.env, MIMAMORI_DATA: dataDir, MIMAMORI_URL: server.url } });
      expect(intact.stdout).toMatch(/^audit trail intact: \d+ entries/);
    } finally {
      await server.stop();
    }
    // With the server stopped, someone changes the database behind its back; the CLI reads the data directory itself.
    const storage = await openStorage({ dataDir, log: () => undefined });
    await storage.command(sql`ALTER TABLE audit_log UPDATE actor = 'nobody' WHERE seq = 2 SETTINGS mutations_sync = 1`);
    await storage.close();
    const broken = await outcome(run(process.execPath, [BIN, 'audit', 'verify'], { env: { ...process.env, MIMAMORI_DATA: dataDir, MIMAMORI_URL: 'http://127.0.0.1:9' } }));
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('audit trail BROKEN at entry 2: entry 2 was altered');
  });
});
