import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startServerProcess } from '../helpers/server-process.ts';
import { tempDir } from '../helpers/runtime.ts';
import { peopleWithTokens } from '../helpers/accounts.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'mimamori.js');
const outcome = (p: Promise<{ stdout: string; stderr: string }>) => p.then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => e);

describe('the hand-over bundle from the CLI (issue 19, item 8)', () => {
  it('`export handover` asks and exits 2, another person approves, the bundle downloads with its checksums checked; `import handover` loads it into a fresh instance, which then serves the same tickets', async () => {
    const dataDir = tempDir();
    const server = await startServerProcess({ MIMAMORI_DATA: dataDir });
    const tokens = await peopleWithTokens(server.url, server.adminKey, [['op1', 'operator'], ['appr', 'approver']]);
    const opened = await fetch(`${server.url}/api/v1/tickets`, { method: 'POST', headers: { authorization: `Bearer ${tokens.op1}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'incident', title: '引き継ぎ前の障害', environment: 'production' }) });
    const ticket = ((await opened.json()) as { number: string }).number;
    const as = (who: string) => ({ ...process.env, MIMAMORI_DATA: dataDir, MIMAMORI_URL: server.url, MIMAMORI_API_KEY: tokens[who] });
    const out = tempDir('mimamori-bundle-');
    try {
      const asked = await outcome(run(process.execPath, [BIN, 'export', 'handover', '--out', out], { env: as('op1') }));
      expect(asked.code).toBe(2);
      const id = /asked for approval: (REQ-[\w-]+)/.exec(asked.stdout)?.[1] ?? '';
      expect(id, asked.stdout).not.toBe('');
      const early = await outcome(run(process.execPath, [BIN, 'export', 'handover', '--out', out, '--request', id], { env: as('op1') }));
      expect(early.code).toBe(2);
      expect(early.stdout).toContain('waits for approval by another person');
      await run(process.execPath, [BIN, 'request', 'approve', id], { env: as('appr') });
      const got = await run(process.execPath, [BIN, 'export', 'handover', '--out', out, '--request', id], { env: as('op1') });
      expect(got.stdout).toMatch(/bundle in .*: \d+ tables, [\d,]+ rows, every file's SHA-256 checked/);
      expect(got.stderr).toMatch(/\[#{24}\] ticket_events\s+1 rows\s+[\d,]+ rows\/s/);
      expect(fs.existsSync(path.join(out, 'manifest.json'))).toBe(true);
      expect(fs.existsSync(path.join(out, 'README.md'))).toBe(true);
    } finally {
      await server.stop();
    }

    const fresh = tempDir();
    const env = { ...process.env, MIMAMORI_DATA: fresh };
    const imported = await run(process.execPath, [BIN, 'import', 'handover', out], { env });
    expect(imported.stdout).toMatch(/imported [\d,]+ rows in [\d.]+ s; the audit chain verifies \(\d+ entries, the last one this import\)/);
    expect(imported.stderr).toMatch(/every file matches its SHA-256/);
    const again = await outcome(run(process.execPath, [BIN, 'import', 'handover', out], { env }));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/this instance is not empty .*--replace/);

    const second = await startServerProcess({ MIMAMORI_DATA: fresh });
    try {
      const res = await fetch(`${second.url}/api/v1/tickets/${ticket}`, { headers: { authorization: `Bearer ${second.adminKey}` } });
      expect(((await res.json()) as { title: string }).title).toBe('引き継ぎ前の障害');
      const verify = await fetch(`${second.url}/api/v1/audit/verify`, { headers: { authorization: `Bearer ${second.adminKey}` } });
      expect(((await verify.json()) as { ok: boolean }).ok).toBe(true);
    } finally {
      await second.stop();
    }
  });
});
