import path from 'node:path';
import { Command } from 'commander';
import { callServer, ServerUnreachable } from './client.ts';
import type { countLogs as CountLogs } from '../api/queries.ts';
import { parseTimeRange } from '../shared/time-range.ts';

interface LogsAnswer {
  total: number;
  rows: { timestamp: string; environment: string; host: string; service: string; level: string; message: string }[];
}

/** `mimamori logs`: search stored logs through the running server, or the data directory when no server holds it. */
export function logsCommand(): Command {
  return new Command('logs')
    .description('search logs, newest first (asks the running server; reads MIMAMORI_DATA directly when none runs)')
    .option('-e, --environment <name>')
    .option('--host <host>')
    .option('--service <service>')
    .option('-l, --level <levels>', 'e.g. error,warn')
    .option('-q, --query <text>', 'text search')
    .option('--from <time>', 'epoch ms or RFC 3339 (default: 24 h ago)')
    .option('--to <time>', 'epoch ms or RFC 3339 (default: now)')
    .option('-n, --limit <n>', 'rows', '50')
    .option('--json', 'print the JSON answer')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
      const params = new URLSearchParams();
      const map: Record<string, string> = { environment: 'environment', host: 'host', service: 'service', level: 'level', query: 'q', from: 'from', to: 'to', limit: 'limit' };
      for (const [opt, param] of Object.entries(map)) if (str(opt)) params.set(param, str(opt)!);
      let answer: LogsAnswer;
      try {
        answer = (await callServer(`/api/v1/logs?${params}`, {}, process.env, 'api')) as LogsAnswer;
      } catch (error) {
        if (!(error instanceof ServerUnreachable)) throw error;
        process.stderr.write(`${error.message}\nreading ${path.resolve(process.env.MIMAMORI_DATA ?? './data')} directly\n`);
        answer = await readDirectly({
          ...parseTimeRange({ from: str('from'), to: str('to') }, Date.now(), 86_400_000),
          environment: str('environment'),
          host: str('host'),
          service: str('service'),
          levels: str('level')?.split(',').map((l) => l.trim().toLowerCase()),
          text: str('query'),
        }, Number(str('limit') ?? 50));
      }
      if (o.json) {
        process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
        return;
      }
      for (const r of answer.rows.slice().reverse()) process.stdout.write(`${r.timestamp} ${r.environment} ${r.host} ${r.service} ${r.level.toUpperCase()} ${r.message}\n`);
      process.stderr.write(`${answer.rows.length} of ${answer.total} matching lines\n`);
    });
}

async function readDirectly(filter: Parameters<typeof CountLogs>[1], limit: number): Promise<LogsAnswer> {
  // Loaded only here: the embedded engine is large, and only this fallback needs it.
  const { openStorage, isDataDirInUse } = await import('../storage/client.ts');
  const { searchLogs } = await import('../api/queries.ts');
  const storage = await openStorage({ dataDir: path.resolve(process.env.MIMAMORI_DATA ?? './data'), clickhouseUrl: process.env.CLICKHOUSE_URL, log: () => undefined }).catch((error: Error) => {
    if (isDataDirInUse(error)) throw new Error('the data directory is held by a Mimamori server that this command cannot reach (check MIMAMORI_URL)');
    throw error;
  });
  try {
    return await searchLogs(storage, filter, limit);
  } finally {
    await storage.close();
  }
}
