import { Command } from 'commander';
import { callServer } from './client.ts';

interface WalAnswer {
  pending: Record<string, { bytes: number; oldest_unloaded_seconds: number; loader_stalled_seconds: number }>;
  set_aside: { name: string; rows: number; bytes: number; token: string; received_at: string; code: number | null; reason: string; lines?: string[] }[];
}

/** `mimamori wal inspect|retry`: what waits for the database, and the requests it refused (admin key). */
export function walCommand(): Command {
  const wal = new Command('wal').description('the write-ahead log: rows waiting for the database and requests it refused (needs an admin key)');
  wal
    .command('inspect')
    .description('show what waits for the database and every set-aside request, with its sender and reason')
    .option('-n, --lines <n>', 'also print the first n lines of each set-aside request', '0')
    .option('--json', 'print the JSON answer')
    .action(async (o: { lines: string; json?: boolean }) => {
      const answer = (await callServer(`/api/v1/wal?lines=${Number(o.lines) || 0}`, {}, process.env, 'api')) as WalAnswer;
      if (o.json) return void process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
      for (const [kind, p] of Object.entries(answer.pending)) {
        process.stdout.write(`${kind}: ${p.bytes} bytes waiting${p.bytes ? `, oldest ${p.oldest_unloaded_seconds.toFixed(1)} s` : ''}${p.loader_stalled_seconds > 0 ? `, no progress for ${p.loader_stalled_seconds.toFixed(1)} s` : ''}\n`);
      }
      if (answer.set_aside.length === 0) return void process.stdout.write('no set-aside requests\n');
      for (const s of answer.set_aside) {
        process.stdout.write(`\n${s.name}  ${s.rows} rows, ${s.bytes} bytes, from ${s.token || '(unknown token)'} at ${s.received_at}\n  refused: ${s.reason}\n`);
        for (const line of s.lines ?? []) process.stdout.write(`  | ${line}\n`);
      }
      process.stdout.write(`\n${answer.set_aside.length} set-aside request(s); after fixing the cause: mimamori wal retry [name …]\n`);
    });
  wal
    .command('retry')
    .description('send set-aside requests through the ingest judge again (all when no name is given)')
    .argument('[names...]', 'names as `wal inspect` lists them')
    .action(async (names: string[]) => {
      const body = names.length ? { names } : {};
      const { results } = (await callServer('/api/v1/wal/retry', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, process.env, 'api')) as { results: { name: string; status: string; rows: number; reason?: string }[] };
      for (const r of results) process.stdout.write(`${r.name}: ${r.status}${r.status === 'requeued' ? ` (${r.rows} rows)` : `: ${r.reason}`}\n`);
      if (results.some((r) => r.status !== 'requeued')) process.exitCode = 1;
      if (results.length === 0) process.stdout.write('no set-aside requests\n');
    });
  return wal;
}
