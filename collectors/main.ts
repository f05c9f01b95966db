import { Command } from 'commander';
import { agentCommand } from './cli.ts';

// Entry of `mimamori agent`, bundled to plain JavaScript by bin/build-agent.js
// so a monitored host runs the agent without a TypeScript loader.
const program = new Command('mimamori').showHelpAfterError();
program.addCommand(agentCommand());
try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`mimamori: ${(error as Error).message}\n`);
  process.exit(1);
}
