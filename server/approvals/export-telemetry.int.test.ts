import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../../test/helpers/runtime.ts';

// export.telemetry on the real engine: the rows behind a report's section,
// down to the CPU series of the hosts a capacity review shows.

let rt: TestRuntime;
const as: Record<string, { authorization: string }> = {};
const now = Date.now();
const window = { from: String(now - 60_000), to: String(now + 60_000) };

beforeAll(async () => {
  rt = await openTestRuntime({ yaml: 'agent: { enabled: false }\n' });
  for (const [id, role] of [['op', 'operator'], ['appr', 'approver']] as const) {
    await rt.accounts.accounts.create(id, { displayName: id }, role, 'V!olet-Harb0ur-91', { name: 'test', role: 'admin' }, { lang: 'en', mustChangePassword: false });
    as[id] = { authorization: `Bearer ${(await rt.accounts.tokens.create('personal', id, id, role, 'test')).token}` };
  }
  const metric = (host: string, name: string, environment = 'production', cpu = 'total') => ({ timestamp: now, environment, host, name, labels: { cpu }, value: 42 });
  // One per-core sample beside the all-core one, as the collectors send them: not part of the CPU series the reports read.
  await rt.app.inject({ method: 'POST', url: '/api/v1/ingest/metrics', headers: rt.auth, payload: [metric('db-1', 'cpu_utilisation_percent'), metric('web-1', 'cpu_utilisation_percent'), metric('db-1', 'cpu_utilisation_percent', 'production', '0'), metric('db-1', 'memory_used_percent'), metric('db-1', 'cpu_utilisation_percent', 'staging')] });
  await rt.app.inject({ method: 'POST', url: '/api/v1/ingest/logs', headers: rt.auth, payload: [{ timestamp: now, environment: 'production', service: 'web', host: 'web-1', message: 'web-1 のログ' }, { timestamp: now, environment: 'production', service: 'db', host: 'db-1', message: 'db-1 のログ' }] });
  await rt.writer.flush();
}, 60_000);
afterAll(async () => rt?.close());

/** Asks for an export as the operator, has the approver approve it, and returns the request and the CSV's lines (without the header). */
async function exported(params: Record<string, string>) {
  const made = await rt.app.inject({ method: 'POST', url: '/api/v1/requests', headers: as.op!, payload: { operation: 'export.telemetry', params, reason: 'the rows behind the capacity review' } });
  expect(made.statusCode, made.body).toBe(201);
  const approved = (await rt.app.inject({ method: 'POST', url: `/api/v1/requests/${made.json().id}/approve`, headers: as.appr! })).json();
  const file = await rt.app.inject({ method: 'GET', url: `/api/v1/requests/${made.json().id}/files/${approved.result.files[0]}`, headers: as.op! });
  return { made: made.json(), approved, lines: file.body.replace(/^\ufeff/, '').trim().split('\n').slice(1) };
}

describe('export.telemetry', () => {
  it('exports the all-core CPU series only (no per-core rows), of the hosts named, in the environment asked', async () => {
    const { made, approved, lines } = await exported({ kind: 'cpu', ...window, environment: 'production', hosts: 'db-1, web-1' });
    expect(made.params).toMatchObject({ kind: 'cpu', hosts: ['db-1', 'web-1'], environment: 'production' });
    expect(made.description.en).toMatch(/^cpu rows, .*, production, hosts db-1, web-1, as CSV$/);
    expect(approved.result).toEqual({ files: ['cpu.csv'], summary: '2 cpu rows' });
    expect(lines.map((l: string) => l.match(/"(db-1|web-1)","(\w+)"/)!.slice(1)).sort()).toEqual([['db-1', 'cpu_utilisation_percent'], ['web-1', 'cpu_utilisation_percent']]);
    const one = await exported({ kind: 'cpu', ...window, environment: 'production', hosts: 'web-1' });
    expect(one.approved.result.summary).toBe('1 cpu rows');
  });

  it('narrows metrics and logs to the hosts named, and all hosts without any', async () => {
    expect((await exported({ kind: 'metrics', ...window, environment: 'production', hosts: 'db-1' })).approved.result.summary).toBe('3 metrics rows');
    expect((await exported({ kind: 'metrics', ...window })).approved.result.summary).toBe('5 metrics rows');
    const logs = await exported({ kind: 'logs', ...window, hosts: 'web-1' });
    expect(logs.approved.result.summary).toBe('1 logs rows');
    expect(logs.lines.join('\n')).toContain('web-1 のログ');
  });

  it('refuses hosts for probes, which have none', async () => {
    const res = await rt.app.inject({ method: 'POST', url: '/api/v1/requests', headers: as.op!, payload: { operation: 'export.telemetry', params: { kind: 'probes', hosts: 'db-1' }, reason: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe('hosts: probes have no host (choose metrics, cpu or logs)');
  });
});
