import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, ConfigError } from './config/load.ts';
import { createLogger } from './shared/logger.ts';
import { openRuntime, type Runtime } from './runtime.ts';
import { ensureDashboardBuilt } from './http/build-dashboard.ts';
import { isDataDirInUse } from './storage/client.ts';
import { readOrCreateLocalToken } from './ingest/tokens.ts';
import { armStopWatchdog } from './shared/stop-watchdog.ts';
import { startAgent } from '../collectors/agent.ts';
import { defaultAgentConfig } from '../collectors/default-config.ts';

const VERSION = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '..', 'package.json'), 'utf8')).version as string;

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
}

/** `mimamori start`: config, storage, HTTP on HOST:PORT, graceful stop on SIGTERM/SIGINT. */
export async function start(options: StartOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`mimamori: invalid configuration: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const dataDir = path.resolve(env.MIMAMORI_DATA ?? './data');
  const logger = createLogger(dataDir);
  logger.info({ config: config.source, dataDir, storage: env.CLICKHOUSE_URL ? 'remote' : 'embedded chDB' }, 'starting Mimamori');
  await ensureDashboardBuilt((msg) => logger.info(msg)).catch((error: Error) => logger.error({ err: error }, 'building the dashboard failed; serving the status page instead'));
  const runtime = await openRuntime({ config, dataDir, env, logger, version: VERSION }).catch((error: Error) => {
    const locked = isDataDirInUse(error);
    logger.fatal({ err: error }, locked ? `the data directory ${dataDir} is in use by another Mimamori process` : 'could not open storage');
    process.exit(1);
  });
  // Before listening: once /readyz answers, the link is on disk.
  await announceSetupLink(runtime, logger);
  const host = env.HOST ?? '127.0.0.1';
  const port = Number(env.PORT ?? 8080);
  let stopping = false;
  let beforeClose: () => Promise<void> = async () => undefined;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: no new requests, loading accepted rows, closing storage');
    const force = setTimeout(() => {
      logger.error('graceful stop took longer than 30 s; exiting (accepted rows stay in the write-ahead log)');
      process.exit(1);
    }, 30_000);
    force.unref();
    // The timer above needs a free main thread; this one does not.
    armStopWatchdog(35_000, path.join(dataDir, 'logs', 'mimamori.log'));
    try {
      await beforeClose();
      await runtime.close();
      logger.info('stopped');
      logger.flush();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error while stopping; accepted rows stay in the write-ahead log');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  try {
    await runtime.app.listen({ host, port });
  } catch (error) {
    logger.fatal({ err: error }, `cannot listen on ${host}:${port}`);
    await runtime.close().catch(() => undefined);
    process.exit(1);
  }
  if (config.agent.enabled) {
    const agentLog = (level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}) => logger[level]({ ...fields, component: 'agent' }, msg);
    const agentConfig = defaultAgentConfig({ dataDir, port, token: readOrCreateLocalToken(dataDir), environment: config.agent.environment });
    agentConfig.targets.push(...config.targets);
    const agent = await startAgent(agentConfig, agentLog);
    beforeClose = () => agent.stop();
  }
  logger.info(`Mimamori ${VERSION} listening on http://${host === '0.0.0.0' ? 'localhost' : host}:${port} (API docs at /api/docs)`);
}

/**
 * No account yet: show the one-time link that creates the first
 * administrator. It goes to the console only, never to the log file; the
 * same link is in <data>/setup-link (mode 0600) for 24 hours.
 */
async function announceSetupLink(runtime: Runtime, logger: ReturnType<typeof createLogger>): Promise<void> {
  if ((await runtime.accounts.accounts.users.count()) > 0) return;
  const { url, expiresAt } = runtime.accounts.setupLink.ensure();
  logger.warn('no account exists yet: open the one-time setup link printed on the console (also in <data>/setup-link) to create the first administrator');
  process.stdout.write(
    `\n  No account exists yet. Create the first administrator (this link works once, until ${new Date(expiresAt).toISOString()}):\n\n    ${url}\n\n` +
      `  初回設定: 上のリンクを開いて最初の管理者を作成してください（1 回限り、24 時間有効）。\n  Or on this host: mimamori user add <id> --admin\n\n`,
  );
}
