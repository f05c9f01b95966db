import { Command } from 'commander';
import { callServer } from './client.ts';

/** `mimamori logs`: search stored logs through the running server. */
export function logsCommand(): Command {
  return new Command('logs')
    .description('search logs on the running server, newest first')
    .option('-e, --environment <name>')
    .option('--host <host>')
    .option('--service <service>')
    .option('-l, --level <levels>', 'e.g. error,warn')
    .option('-q, --query <text>', 'text search')
    .option('--from <time>', 'epoch ms or RFC 3339')
    .option('--to <time>', 'epoch ms or RFC 3339')
    .option('-n, --limit <n>', 'rows', '50')
    .option('--json', 'print the raw JSON answer')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const params = new URLSearchParams();
      const map: Record<string, string> = { environment: 'environment', host: 'host', service: 'service', level: 'level', query: 'q', from: 'from', to: 'to', limit: 'limit' };
      for (const [opt, param] of Object.entries(map)) if (typeof o[opt] === 'string') params.set(param, o[opt]);
      const answer = (await callServer(`/api/v1/logs?${params}`)) as { total: number; rows: { timestamp: string; environment: string; host: string; service: string; level: string; message: string }[] };
      if (o.json) {
        process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
        return;
      }
      for (const r of answer.rows.slice().reverse()) process.stdout.write(`${r.timestamp} ${r.environment} ${r.host} ${r.service} ${r.level.toUpperCase()} ${r.message}\n`);
      process.stderr.write(`${answer.rows.length} of ${answer.total} matching lines\n`);
    });
}
