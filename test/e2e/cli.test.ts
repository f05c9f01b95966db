import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startServerProcess, waitForExit } from '../helpers/server-process.ts';
import { tempDir } from '../helpers/runtime.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'mimamori.js');

describe('mimamori CLI', () => {
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
      server.child.kill('SIGTERM');
      await waitForExit(server.child);
    }
    const direct = await run(process.execPath, [BIN, 'logs', '--service', 'cli', '--json'], { env });
    expect(direct.stderr).toContain('reading');
    expect(JSON.parse(direct.stdout).total).toBe(12);
  });
});
