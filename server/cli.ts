import { Command } from 'commander';
import { start } from './main.ts';
import { ingestFileCommand } from './cli/ingest-file.ts';
import { logsCommand } from './cli/logs.ts';
import { agentCommand } from './cli/agent.ts';

// The `mimamori` command. Commands that read or change data talk to the
// running server (MIMAMORI_URL, MIMAMORI_TOKEN): chDB lets only one process
// open the data directory, and that process is the server.
const program = new Command('mimamori').description('Mimamori 見守り — observability and SLO service').showHelpAfterError();

program.command('start').description('run the server (same as npm start)').action(() => start());
program.addCommand(ingestFileCommand());
program.addCommand(logsCommand());
program.addCommand(agentCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`mimamori: ${(error as Error).message}\n`);
  process.exit(1);
}
