import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { drain, heldForReading, setupTail, tempDir } from './test-harness.ts';
import { loadAgentConfig } from '../config.ts';

// logrotate renames the log, and the program keeps appending to the renamed
// file until postrotate makes it reopen (nginx: USR1). Time is passed to
// collect(), so rotate_wait is exercised without sleeping.
const WAIT_MS = 5_000;

/** app.log renamed to app.log.1 (out of the glob app*.log) while a writer keeps it open. */
function rotateWithOpenWriter(dir: string, log: string): { rotated: string; append: (text: string) => void } {
  const writer = fs.openSync(log, 'a');
  const rotated = path.join(dir, 'app.log.1');
  fs.renameSync(log, rotated);
  return { rotated, append: (text) => fs.writeSync(writer, text) };
}

describe('rotate_wait: a file renamed out of its glob', () => {
  it('is still read while its writer appends, and let go after rotate_wait without growth', async () => {
    const { dir, log, open } = await setupTail({ rotateWaitMs: WAIT_MS });
    const { spool, tail } = await open();
    const t0 = Date.now();
    fs.writeFileSync(log, 'a1\n');
    await tail.collect(spool, t0);
    const { rotated, append } = rotateWithOpenWriter(dir, log);
    await tail.collect(spool, t0 + 1_000); // it left the glob here
    append('a2 (before the reopen)\n');
    await tail.collect(spool, t0 + 3_000);
    await tail.collect(spool, t0 + 7_000); // quiet for 4 s: kept
    append('a3 (still before the reopen)\n');
    await tail.collect(spool, t0 + 7_500);
    await tail.collect(spool, t0 + 12_400); // quiet for 4.9 s: kept
    expect(heldForReading(rotated)).toBe(true);
    fs.writeFileSync(log, 'b1 (the reopened log)\n');
    await tail.collect(spool, t0 + 12_600); // quiet for 5.1 s: let go
    expect(heldForReading(rotated)).toBe(false);
    expect(await drain(spool)).toEqual(['a1', 'a2 (before the reopen)', 'a3 (still before the reopen)', 'b1 (the reopened log)']);
  });

  it('gives its unfinished last line when it is let go, not before', async () => {
    const { dir, log, open } = await setupTail({ rotateWaitMs: WAIT_MS });
    const { spool, tail } = await open();
    const t0 = Date.now();
    fs.writeFileSync(log, 'c1\n');
    await tail.collect(spool, t0);
    const { append } = rotateWithOpenWriter(dir, log);
    append('c2 written in two');
    await tail.collect(spool, t0 + 100);
    expect(await drain(spool)).toEqual(['c1']); // the line may still grow
    append(' parts, no newline');
    await tail.collect(spool, t0 + 200);
    await tail.collect(spool, t0 + 200 + WAIT_MS);
    expect(await drain(spool)).toEqual(['c2 written in two parts, no newline']);
  });

  it('is found again by inode after an agent restart and followed until quiet, each line once', async () => {
    const { dir, log, open } = await setupTail({ rotateWaitMs: WAIT_MS });
    const first = await open();
    const t0 = Date.now();
    fs.writeFileSync(log, 'r1\n');
    await first.tail.collect(first.spool, t0);
    const { rotated, append } = rotateWithOpenWriter(dir, log);
    append('r2\n');
    await first.tail.collect(first.spool, t0 + 500);
    expect(await drain(first.spool)).toEqual(['r1', 'r2']);
    await first.tail.close(); // the agent stops while the renamed file is followed

    append('r3 (while the agent is down)\n');
    const second = await open();
    const t1 = t0 + 60_000; // down for longer than rotate_wait: the wait counts from the restart
    await second.tail.collect(second.spool, t1);
    append('r4 (after the restart)\n');
    await second.tail.collect(second.spool, t1 + 4_000);
    await second.tail.collect(second.spool, t1 + 8_000);
    expect(heldForReading(rotated)).toBe(true);
    await second.tail.collect(second.spool, t1 + 9_100);
    expect(heldForReading(rotated)).toBe(false);
    expect(await drain(second.spool)).toEqual(['r3 (while the agent is down)', 'r4 (after the restart)']);
    await second.tail.close();

    // Let go means forgotten: a third start finds nothing to resume.
    const third = await open();
    await third.tail.collect(third.spool, t1 + 20_000);
    expect(await drain(third.spool)).toEqual([]);
    expect(heldForReading(rotated)).toBe(false);
  });

  it('is read from agent.yaml per logs entry, in any duration unit, 5 s when not given', () => {
    const dir = tempDir();
    const file = path.join(dir, 'agent.yaml');
    const write = (logs: string) => fs.writeFileSync(file, `server: http://127.0.0.1:1\nenvironment: staging\nlogs:\n${logs}`);
    write('  - { path: a.log, service: a, rotate_wait: 1.5m }\n  - { path: b.log, service: b }\n');
    const [a, b] = loadAgentConfig(file, { MIMAMORI_TOKEN: 't' }).logs;
    expect(a!.rotateWaitMs).toBe(90_000);
    expect(b!.rotateWaitMs).toBeUndefined(); // the tailer's DEFAULT_ROTATE_WAIT_MS
    write('  - { path: a.log, service: a, rotate_wait: soon }\n');
    expect(() => loadAgentConfig(file, { MIMAMORI_TOKEN: 't' })).toThrow(/rotate_wait/);
    const example = loadAgentConfig(path.resolve(import.meta.dirname, '..', '..', 'agent.example.yaml'), { MIMAMORI_TOKEN: 't' });
    expect(example.logs.find((l) => l.service === 'nginx')!.rotateWaitMs).toBe(5_000);
  });
});
