import http from 'node:http';
import https from 'node:https';
import type { AgentIdentity, Collector, Sink } from '../core/types.ts';
import { metricRecord } from '../core/record.ts';
import { parsePromText, type MetricFamily } from './prom-text.ts';

export interface ScrapeConfig {
  url: string;
  /** The host the samples describe (default: the URL's host name). */
  host: string;
  intervalMs: number;
  timeoutMs: number;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Scrapes a Prometheus endpoint (node_exporter, any prom-client app) and
 * turns counters into utilisation: CPU % from node_cpu_seconds_total (all
 * cores), process CPU % from process_cpu_seconds_total, plus load and
 * memory. A failed scrape is an `up` = 0 sample, never a crash; a counter
 * that went backwards (a restart) starts a new baseline instead of a spike.
 */
export class ScrapeCollector implements Collector {
  readonly name: string;
  readonly intervalMs: number;
  private previous: { at: number; cpu?: { busy: number; total: number }; process?: number } | undefined;

  constructor(
    private readonly id: AgentIdentity,
    private readonly config: ScrapeConfig,
  ) {
    this.name = `scrape:${config.url}`;
    this.intervalMs = config.intervalMs;
  }

  async collect(sink: Sink, now: number): Promise<void> {
    const who = { environment: this.id.environment, host: this.config.host };
    const labels = { job: this.config.url };
    let families: MetricFamily[];
    try {
      families = parsePromText(await fetchText(this.config.url, this.config.timeoutMs));
    } catch (error) {
      await sink.write('metrics', [metricRecord(who, now, 'up', 0, { ...labels, error: (error as Error).message.slice(0, 200) })]);
      return;
    }
    const records = [metricRecord(who, now, 'up', 1, labels)];
    const find = (name: string) => families.find((f) => f.name === name)?.samples ?? [];
    const cpuSamples = find('node_cpu_seconds_total');
    const cpu = cpuSamples.length ? { busy: 0, total: 0 } : undefined;
    for (const s of cpuSamples) {
      cpu!.total += s.value;
      if (s.labels.mode !== 'idle' && s.labels.mode !== 'iowait') cpu!.busy += s.value;
    }
    const processCpu = find('process_cpu_seconds_total')[0]?.value;
    const before = this.previous;
    if (before?.cpu && cpu && cpu.total > before.cpu.total && cpu.busy >= before.cpu.busy) {
      records.push(metricRecord(who, now, 'cpu_utilisation_percent', round((100 * (cpu.busy - before.cpu.busy)) / (cpu.total - before.cpu.total)), { cpu: 'total' }));
    }
    if (before?.process !== undefined && processCpu !== undefined && processCpu >= before.process && now > before.at) {
      records.push(metricRecord(who, now, 'process_cpu_percent', round((100 * (processCpu - before.process)) / ((now - before.at) / 1000)), labels));
    }
    this.previous = { at: now, cpu, process: processCpu };
    const load1 = find('node_load1')[0]?.value;
    if (load1 !== undefined) records.push(metricRecord(who, now, 'load_average', load1, { period: '1m' }));
    const total = find('node_memory_MemTotal_bytes')[0]?.value;
    const available = find('node_memory_MemAvailable_bytes')[0]?.value;
    if (total && available !== undefined) records.push(metricRecord(who, now, 'memory_used_percent', round((100 * (total - available)) / total)));
    await sink.write('metrics', records);
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

function fetchText(url: string, timeoutMs: number): Promise<string> {
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(url, { timeout: timeoutMs, headers: { accept: 'text/plain;version=0.0.4' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`HTTP ${res.statusCode}`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) req.destroy(new Error('exposition larger than 16 MiB'));
        else chunks.push(c);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}
