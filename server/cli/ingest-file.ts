import fs from 'node:fs';
import { Command, Option } from 'commander';
import { callServer } from './client.ts';

/** `mimamori ingest <kind> <file>`: send an NDJSON file to the running server in batches. */
export function ingestFileCommand(): Command {
  return new Command('ingest')
    .description('send NDJSON records from a file (or - for stdin) to the running server')
    .addOption(new Option('--batch <rows>', 'rows per request').default('5000'))
    .argument('<kind>', 'logs, metrics or probes')
    .argument('<file>', 'NDJSON file, or - for standard input')
    .action(async (kind: string, file: string, opts: { batch: string }) => {
      if (!['logs', 'metrics', 'probes'].includes(kind)) throw new Error(`unknown kind "${kind}" (logs, metrics, probes)`);
      const text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
      const lines = text.split('\n').filter((l) => l.trim());
      const size = Math.max(1, Number(opts.batch));
      let sent = 0;
      for (let i = 0; i < lines.length; i += size) {
        const chunk = lines.slice(i, i + size);
        try {
          await callServer(`/api/v1/ingest/${kind}`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: `${chunk.join('\n')}\n` });
        } catch (error) {
          // Line numbers in the server's answer count from this batch; say where it starts.
          throw new Error(`batch starting at line ${i + 1}: ${(error as Error).message}`);
        }
        sent += chunk.length;
        process.stderr.write(`\rsent ${sent}/${lines.length}`);
      }
      process.stderr.write(`\nstored ${sent} ${kind} records\n`);
    });
}
