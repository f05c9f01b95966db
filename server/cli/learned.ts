import fs from 'node:fs';
import { Command } from 'commander';
import { callServer } from './client.ts';

/** `mimamori learned export|import`: the learned state (patterns, incident links) through the running server (administrator's API key). */
export function learnedCommand(): Command {
  const learned = new Command('learned').description('what Mimamori has learned (log patterns, links of past incidents): export to and import from documented JSON');
  learned
    .command('export')
    .description('write the learned state to a file (docs/LEARNED-STATE.md)')
    .requiredOption('-o, --out <file>', 'where to write it')
    .action(async (o: { out: string }) => {
      const doc = (await callServer('/api/v1/learned-state', {}, process.env, 'api')) as { drains: object; patterns: unknown[]; incident_links: unknown[] };
      fs.writeFileSync(o.out, `${JSON.stringify(doc, null, 1)}\n`);
      process.stdout.write(`${o.out}: ${Object.keys(doc.drains).length} parse trees, ${doc.patterns.length} patterns, ${doc.incident_links.length} incident links\n`);
    });
  learned
    .command('import <file>')
    .description('take a learned state into this instance: adds what it lacks, keeps what it learned itself')
    .action(async (file: string) => {
      const answer = (await callServer('/api/v1/learned-state', { method: 'POST', headers: { 'content-type': 'application/json' }, body: fs.readFileSync(file) }, process.env, 'api')) as { patterns_added: number; incident_links_added: number; drains_added: string[]; drains_kept: string[] };
      process.stdout.write(`patterns added: ${answer.patterns_added}\nincident links added: ${answer.incident_links_added}\nparse trees added: ${answer.drains_added.join(', ') || '-'}\nparse trees kept (learned here already): ${answer.drains_kept.join(', ') || '-'}\n`);
    });
  return learned;
}
