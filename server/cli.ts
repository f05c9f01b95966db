import fs from 'node:fs';
import { Command } from 'commander';

// The `mimamori` command. Commands that read or change data talk to the
// running server (MIMAMORI_URL, MIMAMORI_TOKEN): chDB lets only one process
// open the data directory, and that process is the server.
// Subcommands are imported when used, so `mimamori agent` on a monitored
// host never loads the embedded database engine (hundreds of MiB).
const { version } = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const program = new Command('mimamori')
  .description('Mimamori 見守り — observability and SLO service')
  .version(`mimamori ${version} (Node.js ${process.version})`, '-V, --version', 'print the version and the Node.js runtime it runs on')
  .showHelpAfterError()
  // Options after a command's name are that command's (`release add --version 2.4.0`), not the program's --version.
  .enablePositionalOptions();

program.command('start').description('run the server (same as npm start)').action(async () => (await import('./main.ts')).start());
program.addCommand((await import('./cli/ingest-file.ts')).ingestFileCommand());
program.addCommand((await import('./cli/logs.ts')).logsCommand());
program.addCommand((await import('./cli/wal.ts')).walCommand());
program.addCommand((await import('./cli/user.ts')).userCommand());
program.addCommand((await import('./cli/token.ts')).tokenCommand());
program.addCommand((await import('./cli/audit.ts')).auditCommand());
program.addCommand((await import('./cli/request.ts')).requestCommand());
program.addCommand((await import('./cli/report.ts')).reportCommand());
program.addCommand((await import('./cli/release.ts')).releaseCommand());
program.addCommand((await import('./cli/release.ts')).loadtestCommand());
program.addCommand((await import('./cli/learned.ts')).learnedCommand());
program.addCommand((await import('./cli/handover.ts')).exportCommand());
program.addCommand((await import('./cli/handover.ts')).importCommand());
program.addCommand((await import('../collectors/cli.ts')).agentCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`mimamori: ${(error as Error).message}\n`);
  process.exit(1);
}
