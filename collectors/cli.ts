import path from 'node:path';
import { Command } from 'commander';
import { loadAgentConfig } from './config.ts';
import { startAgent } from './agent.ts';

/** `mimamori agent --config agent.yaml`: run the collectors on a monitored host. */
export function agentCommand(): Command {
  return new Command('agent')
    .description('run the agent: collect CPU, logs and probes on this host and push them to a Mimamori server')
    .option('-c, --config <file>', 'agent configuration (YAML)', 'agent.yaml')
    .action(async (opts: { config: string }) => {
      const config = loadAgentConfig(path.resolve(opts.config));
      const log = (level: string, msg: string, fields: Record<string, unknown> = {}) =>
        process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, service: 'mimamori-agent', msg, ...fields })}\n`);
      const agent = await startAgent(config, log);
      const stop = async (signal: string) => {
        log('info', 'stopping agent', { signal });
        await agent.stop();
        process.exit(0);
      };
      process.once('SIGTERM', () => void stop('SIGTERM'));
      process.once('SIGINT', () => void stop('SIGINT'));
    });
}
