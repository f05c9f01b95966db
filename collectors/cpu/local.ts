import fs from 'node:fs/promises';
import type { AgentIdentity, Collector, Sink } from '../core/types.ts';
import { metricRecord } from '../core/record.ts';
import { cpuPercent, memoryUsedPercent, parseLoadavg, parseProcStat, type CpuTimes } from './proc-stat.ts';

/** This host's CPU (total and per core), load average and memory, from /proc. */
export class LocalCpuCollector implements Collector {
  readonly name = 'cpu';
  private previous: Map<string, CpuTimes> | undefined;

  constructor(
    private readonly id: AgentIdentity,
    readonly intervalMs: number,
    private readonly procDir = '/proc',
  ) {}

  async collect(sink: Sink, now: number): Promise<void> {
    if (!this.previous) {
      // First call: take a baseline a second earlier so the very first round already reports.
      this.previous = parseProcStat(await fs.readFile(`${this.procDir}/stat`, 'utf8'));
      await new Promise((r) => setTimeout(r, 1000));
      now += 1000;
    }
    const [stat, loadavg, meminfo] = await Promise.all(['stat', 'loadavg', 'meminfo'].map((f) => fs.readFile(`${this.procDir}/${f}`, 'utf8')));
    const current = parseProcStat(stat!);
    const records: string[] = [];
    const metric = (name: string, value: number, labels?: Record<string, string>) => records.push(metricRecord(this.id, now, name, value, labels));
    for (const [cpu, times] of current) {
      const before = this.previous.get(cpu);
      const pct = before && cpuPercent(before, times);
      if (!pct) continue;
      metric('cpu_utilisation_percent', pct.utilisation, { cpu });
      if (cpu !== 'total') continue;
      for (const mode of ['user', 'system', 'iowait', 'steal', 'idle'] as const) metric('cpu_mode_percent', pct[mode], { cpu, mode });
    }
    this.previous = current;
    const [l1, l5, l15] = parseLoadavg(loadavg!);
    metric('load_average', l1, { period: '1m' });
    metric('load_average', l5, { period: '5m' });
    metric('load_average', l15, { period: '15m' });
    const memory = memoryUsedPercent(meminfo!);
    if (memory !== undefined) metric('memory_used_percent', memory);
    await sink.write('metrics', records);
  }
}
