import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../storage/sql.ts';
import { openTestRuntime, type TestRuntime } from '../../test/helpers/runtime.ts';

// A loader that cannot get accepted rows into the engine must not look
// healthy: readiness fails, /metrics says how long, and a built-in alert
// (there even with `rules: []`) mails and opens a ticket the wall shows.

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime({ yaml: 'ingest: { stall_after: 2s }\nrules: []\nevaluation_interval: 1h\nagent: { enabled: false }\n' });
});
afterAll(async () => rt.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const post = (line: object) => rt.app.inject({ method: 'POST', url: '/api/v1/ingest/logs', payload: JSON.stringify(line), headers: { ...rt.auth, 'content-type': 'application/x-ndjson' } });

describe('a stalled loader', () => {
  it('fails /readyz, reports its age in /metrics, fires the built-in alert with a mail and a ticket, and recovers', async () => {
    expect((await rt.app.inject({ headers: rt.admin, url: '/readyz' })).statusCode).toBe(200);
    await rt.storage.command(sql`DETACH TABLE logs`); // the engine cannot write this table; other tables still work
    expect((await post({ timestamp: Date.now(), environment: 'production', service: 'stall', message: 'accepted, not loadable' })).statusCode).toBe(200);
    await sleep(2600);

    const ready = await rt.app.inject({ headers: rt.admin, url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'loader stalled' });
    expect(ready.json().loader_stalled_seconds).toBeGreaterThan(2);
    const metrics = (await rt.app.inject({ headers: rt.admin, url: '/metrics' })).body;
    expect(Number(/mimamori_ingest_oldest_unloaded_seconds\{kind="logs"\} ([\d.]+)/.exec(metrics)?.[1])).toBeGreaterThan(2);
    expect(metrics).toMatch(/mimamori_ingest_loader_stalled_seconds\{kind="metrics"\} 0/);

    await rt.alerting.evaluator.run('all');
    const alerts = (await rt.app.inject({ headers: rt.admin, url: '/api/v1/alerts' })).json().alerts as { rule: string; state: string; labels: Record<string, string> }[];
    const stalled = alerts.find((a) => a.rule === 'mimamori-ingest-stalled');
    expect(stalled).toMatchObject({ state: 'firing', labels: { environment: 'production', table: 'logs' } });
    const wall = (await rt.app.inject({ headers: rt.admin, url: '/api/v1/wall' })).json();
    expect(wall.incidents.map((i: { title: string }) => i.title).join('\n')).toContain('ClickHouse に書き込まれていない');
    const outbox = path.join(rt.dataDir, 'outbox');
    for (let i = 0; i < 50 && !(fs.existsSync(outbox) && fs.readdirSync(outbox).length); i++) await sleep(100);
    const [file] = fs.readdirSync(outbox);
    const mail = await simpleParser(fs.readFileSync(path.join(outbox, file!)));
    expect(mail.subject).toMatch(/^\[本番\]\[重大\] 発生: 受け付けた行が 2s 以上 ClickHouse に書き込まれていない/);

    await rt.storage.command(sql`ATTACH TABLE logs`);
    await rt.writer.flush();
    expect((await rt.app.inject({ headers: rt.admin, url: '/readyz' })).statusCode).toBe(200);
    expect((await rt.app.inject({ headers: rt.admin, url: '/api/v1/logs?service=stall&limit=0' })).json().total).toBe(1);
    await rt.alerting.evaluator.run('all');
    const after = (await rt.app.inject({ headers: rt.admin, url: '/api/v1/alerts' })).json().alerts as { rule: string }[];
    expect(after.find((a) => a.rule === 'mimamori-ingest-stalled')).toBeUndefined();
  });

  it('cannot be configured away or reused as a rule kind', async () => {
    const { testConfig } = await import('../../test/helpers/runtime.ts');
    expect(() => testConfig('rules:\n  - { name: x, kind: ingest_stalled }\n')).toThrow(/unknown rule kind "ingest_stalled"/);
  });
});
