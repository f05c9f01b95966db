import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { ScrapeCollector } from './scrape.ts';
import { cpuPercent, parseProcStat } from './proc-stat.ts';
import type { RecordKind, Sink } from '../core/types.ts';
import { ensureDebianProgram } from '../../test/helpers/debian.ts';
import { freePort } from '../../test/helpers/server-process.ts';

// A real prometheus-node-exporter (Debian) and a real prom-client endpoint on 127.0.0.1.
let exporter: ChildProcess;
let exporterUrl: string;
let app: http.Server;
let appUrl: string;

beforeAll(async () => {
  const program = ensureDebianProgram('/usr/bin/prometheus-node-exporter', 'prometheus-node-exporter');
  const port = await freePort();
  exporter = spawn(program, [`--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  exporterUrl = `http://127.0.0.1:${port}/metrics`;
  for (let i = 0; i < 100; i++) {
    if (await fetch(exporterUrl).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  app = http.createServer(async (_req, res) => res.end(await registry.metrics()));
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/metrics`;
}, 300_000);
afterAll(() => {
  exporter?.kill('SIGTERM');
  app?.close();
});

function recordingSink() {
  const records: { kind: RecordKind; record: Record<string, unknown> }[] = [];
  const sink: Sink = { write: async (kind, lines) => void records.push(...lines.map((l) => ({ kind, record: JSON.parse(l) }))) };
  return { sink, records };
}

const id = { environment: 'production', host: 'agent-host' };
const burn = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end);
};

describe('scraping Prometheus endpoints', () => {
  it('turns node_exporter CPU counters into a utilisation in 0..100 that follows real load', async () => {
    const collector = new ScrapeCollector(id, { url: exporterUrl, host: 'web-1', intervalMs: 1000, timeoutMs: 5000 });
    const { sink, records } = recordingSink();
    const procBefore = parseProcStat(fs.readFileSync('/proc/stat', 'utf8')).get('total')!;
    await collector.collect(sink, Date.now());
    burn(700); // keep one of the cores busy between the scrapes
    await collector.collect(sink, Date.now());
    const fromProc = cpuPercent(procBefore, parseProcStat(fs.readFileSync('/proc/stat', 'utf8')).get('total')!)!.utilisation;
    const cpu = records.filter((r) => r.record.name === 'cpu_utilisation_percent');
    expect(cpu).toHaveLength(1);
    expect(cpu[0]!.record).toMatchObject({ host: 'web-1', environment: 'production', labels: { cpu: 'total' } });
    expect(cpu[0]!.record.value as number).toBeGreaterThan(10);
    expect(cpu[0]!.record.value as number).toBeLessThanOrEqual(100);
    // node_exporter reads the same /proc/stat: the two views agree.
    expect(Math.abs((cpu[0]!.record.value as number) - fromProc)).toBeLessThan(20);
    expect(records.filter((r) => r.record.name === 'up').map((r) => r.record.value)).toEqual([1, 1]);
    expect(records.some((r) => r.record.name === 'memory_used_percent')).toBe(true);
  });

  it('reads process CPU from a prom-client app', async () => {
    const collector = new ScrapeCollector(id, { url: appUrl, host: 'app-1', intervalMs: 1000, timeoutMs: 5000 });
    const { sink, records } = recordingSink();
    await collector.collect(sink, Date.now());
    burn(500);
    await collector.collect(sink, Date.now());
    const cpu = records.find((r) => r.record.name === 'process_cpu_percent')!;
    expect(cpu.record.value as number).toBeGreaterThan(20);
  });

  it('records a failed scrape as up = 0 instead of failing', async () => {
    const collector = new ScrapeCollector(id, { url: `http://127.0.0.1:${await freePort()}/metrics`, host: 'gone', intervalMs: 1000, timeoutMs: 2000 });
    const { sink, records } = recordingSink();
    await collector.collect(sink, Date.now());
    expect(records).toHaveLength(1);
    expect(records[0]!.record).toMatchObject({ name: 'up', value: 0, host: 'gone' });
    expect((records[0]!.record.labels as Record<string, string>).error).toContain('ECONNREFUSED');
  });
});
