import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { drain, setupTail } from './test-harness.ts';

describe('log tailing', () => {
  it('follows appends, waits for a partial last line, and joins stack traces', async () => {
    const { log, open } = await setupTail({ multilineStart: /^\S/ });
    const { spool, tail } = await open();
    fs.writeFileSync(log, 'first\nsecond\nthi');
    await tail.collect(spool, Date.now());
    fs.appendFileSync(log, 'rd\nError: boom\n    at a (x.js:1)\n    at b (y.js:2)\nafter\n');
    await tail.collect(spool, Date.now());
    await tail.collect(spool, Date.now() + 5000); // quiet for long enough: the held event is complete
    expect(await drain(spool)).toEqual(['first', 'second', 'third', 'Error: boom\n    at a (x.js:1)\n    at b (y.js:2)', 'after']);
  });

  it('follows rename rotation without losing the lines written just before it', async () => {
    const { dir, log, open } = await setupTail();
    const { spool, tail } = await open();
    fs.writeFileSync(log, 'a1\na2\n');
    await tail.collect(spool, Date.now());
    const writer = fs.openSync(log, 'a');
    fs.renameSync(log, path.join(dir, 'app.log.1')); // outside the glob app*.log
    fs.writeSync(writer, 'a3 (after rename, old file)\n');
    fs.closeSync(writer);
    fs.writeFileSync(log, 'b1\n');
    await tail.collect(spool, Date.now());
    fs.appendFileSync(log, 'b2\n');
    await tail.collect(spool, Date.now());
    expect(await drain(spool)).toEqual(['a1', 'a2', 'a3 (after rename, old file)', 'b1', 'b2']);
  });

  it('follows copy-truncate rotation', async () => {
    const { dir, log, open } = await setupTail();
    const { spool, tail } = await open();
    fs.writeFileSync(log, 'c1\nc2\n');
    await tail.collect(spool, Date.now());
    fs.copyFileSync(log, path.join(dir, 'rotated.1'));
    fs.truncateSync(log, 0);
    fs.appendFileSync(log, 'd1\nd2 a longer line than before\n');
    await tail.collect(spool, Date.now());
    expect(await drain(spool)).toEqual(['c1', 'c2', 'd1', 'd2 a longer line than before']);
  });

  it('resumes after a restart from the position saved with the spooled lines, rotated-away file included', async () => {
    const { dir, log, open } = await setupTail();
    const first = await open();
    fs.writeFileSync(log, 'r1\nr2\n');
    await first.tail.collect(first.spool, Date.now());
    expect(await drain(first.spool)).toEqual(['r1', 'r2']);
    await first.tail.close();
    // While the agent is down: more lines, then rotation by rename, then a new file.
    fs.appendFileSync(log, 'r3\n');
    fs.renameSync(log, path.join(dir, 'old.log.1'));
    fs.writeFileSync(log, 's1\n');
    const second = await open();
    await second.tail.collect(second.spool, Date.now());
    await second.tail.collect(second.spool, Date.now());
    expect((await drain(second.spool)).sort()).toEqual(['r3', 's1']);
  });

  it('gives each record the environment, host, service and parsed fields', async () => {
    const { log, open } = await setupTail({ format: 'json' });
    const { spool, tail } = await open();
    fs.writeFileSync(log, `${JSON.stringify({ time: Date.now(), level: 'ERROR', msg: 'payment failed', order: 12 })}\n`);
    await tail.collect(spool, Date.now());
    const batch = (await spool.next('logs'))!;
    expect(JSON.parse(fs.readFileSync(batch.file, 'utf8'))).toMatchObject({ environment: 'staging', host: 'test-host', service: 'app', level: 'ERROR', message: 'payment failed', attributes: { order: '12' } });
  });
});
