import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/runtime.ts';

const MODULE = path.join(import.meta.dirname, 'stop-watchdog.ts');

/** Runs `code` (an ES module) in a child Node.js, which strips the TypeScript of what it imports. */
function run(code: string): Promise<{ signal: NodeJS.Signals | null; code: number | null; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (exitCode, signal) => resolve({ signal, code: exitCode, stderr, ms: Date.now() - started })));
}

describe('stop watchdog', () => {
  it('kills a process whose main thread is blocked, and says why in the log file', async () => {
    const log = path.join(tempDir(), 'mimamori.log');
    // The main thread then waits 20 s inside one call, as a native call that never returns would.
    const result = await run(`import { armStopWatchdog } from ${JSON.stringify(MODULE)}; armStopWatchdog(500, ${JSON.stringify(log)}); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20000);`);
    expect(result.signal).toBe('SIGKILL');
    expect(result.ms).toBeLessThan(10_000);
    expect(JSON.parse(fs.readFileSync(log, 'utf8'))).toMatchObject({ level: 60, msg: expect.stringContaining('main thread blocked') });
    expect(result.stderr).toContain('killing the process');
  });

  it('lets a process that stops in time exit normally', async () => {
    const log = path.join(tempDir(), 'mimamori.log');
    const result = await run(`import { armStopWatchdog } from ${JSON.stringify(MODULE)}; armStopWatchdog(5000, ${JSON.stringify(log)}); setTimeout(() => process.exit(0), 100);`);
    expect([result.code, result.signal]).toEqual([0, null]);
    expect(result.ms).toBeLessThan(4000);
    expect(fs.existsSync(log)).toBe(false);
  });
});
