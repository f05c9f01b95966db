import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AgentConfig } from './config.ts';
import type { Collector } from './core/types.ts';
import { Spool } from './core/spool.ts';
import { Pusher } from './core/push.ts';
import { AgentRunner } from './core/runner.ts';
import { AgentSelfMetrics } from './core/self-metrics.ts';
import { LocalCpuCollector } from './cpu/local.ts';
import { ScrapeCollector } from './cpu/scrape.ts';
import { HttpProbeCollector } from './synthetic/collector.ts';
import { LogTailCollector } from './logs/collector.ts';

export type AgentLog = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export interface Agent {
  spool: Spool;
  pusher: Pusher;
  stop(): Promise<void>;
}

const SELF_METRICS_MS = 15_000;

/** Builds the collectors the config asks for and starts spooling and pushing. */
export async function startAgent(config: AgentConfig, log: AgentLog): Promise<Agent> {
  const id = { environment: config.environment, host: config.host };
  // The runner exists only after the spool; the spool's writes reach it through this.
  const urgent = { push: (_now: boolean): void => undefined };
  const spool = await Spool.open(config.spoolDir, {
    maxBytes: config.spoolMaxBytes,
    batchRecords: 20_000,
    warn: (msg, fields) => log('warn', msg, fields),
    // A probe past its threshold goes out at once: it is what fires the alert mail.
    onWrite: (kind, records) => {
      if (kind === 'metrics' && records.length === 1 && records[0]!.includes('"probe_threshold_crossed"')) urgent.push(true);
      else if (kind === 'probes' || kind === 'logs') urgent.push(false);
    },
  });
  const pusher = new Pusher(spool, { server: config.server, token: config.token, agentId: agentId(config.spoolDir) }, (level, msg, fields) => log(level, msg, fields));
  const collectors: Collector[] = [new AgentSelfMetrics(id, SELF_METRICS_MS, spool, pusher)];
  if (config.cpuIntervalMs) collectors.push(new LocalCpuCollector(id, config.cpuIntervalMs));
  for (const scrape of config.scrape) collectors.push(new ScrapeCollector(id, scrape));
  for (const target of config.targets) collectors.push(new HttpProbeCollector(id, target));
  if (config.logs.length) collectors.push(new LogTailCollector(id, config.logs, spool));
  const runner = new AgentRunner(collectors, spool, pusher, log);
  urgent.push = (now) => runner.kick(now);
  runner.start();
  log('info', 'agent started', { server: config.server, environment: config.environment, host: config.host, collectors: collectors.map((c) => c.name) });
  return { spool, pusher, stop: () => runner.stop() };
}

/** A stable id per spool directory: the prefix of every Idempotency-Key this agent sends. */
function agentId(spoolDir: string): string {
  const file = path.join(spoolDir, 'agent-id');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(spoolDir, { recursive: true });
  const id = `agent-${randomBytes(6).toString('hex')}`;
  fs.writeFileSync(file, id);
  return id;
}
