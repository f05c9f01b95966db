import path from 'node:path';
import os from 'node:os';
import type { AgentConfig } from './config.ts';

/**
 * What `npm start` watches in-process, so a fresh start shows live data:
 * this host's CPU, Mimamori's own log file and a probe of its own /healthz,
 * pushed over loopback through the same ingest door as any agent.
 */
export function defaultAgentConfig(options: { dataDir: string; port: number; token: string; environment: string }): AgentConfig {
  const server = `http://127.0.0.1:${options.port}`;
  return {
    server,
    token: options.token,
    environment: options.environment,
    host: os.hostname(),
    spoolDir: path.join(options.dataDir, 'agent-spool'),
    spoolMaxBytes: 256 * 1024 * 1024,
    cpuIntervalMs: 15_000,
    scrape: [],
    targets: [
      {
        name: 'mimamori',
        url: `${server}/healthz`,
        environment: options.environment,
        method: 'GET',
        headers: {},
        intervalMs: 30_000,
        timeoutMs: 10_000,
        thresholdMs: 5_000,
        expect: { status: 200, contains: 'ok' },
        insecureTls: false,
      },
    ],
    logs: [{ path: path.join(options.dataDir, 'logs', 'mimamori.log'), service: 'mimamori', environment: options.environment, format: 'json' }],
  };
}
