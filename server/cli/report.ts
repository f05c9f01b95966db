import fs from 'node:fs';
import readline from 'node:readline';
import { Readable } from 'node:stream';
import { Command } from 'commander';
import { fetchServer } from './client.ts';
import { bar } from './progress.ts';

interface Options {
  environment?: string;
  format: string;
  table?: string;
  lang: string;
  out?: string;
}

/** One redrawn progress line: the bar, the count and the server's name of the phase, padded to wipe a longer one before it. */
export function progressText(p: { done: number; total: number; phase?: string }): string {
  return `${bar(p.done, p.total)} ${p.done}/${p.total} ${p.phase ?? ''}`.padEnd(60);
}

/** `mimamori report monthly|annual|capacity`: a report from the running server, written to a file (or to stdout), with its progress on stderr. */
export function reportCommand(): Command {
  const report = new Command('report').description('reports from the running server (with the API key: MIMAMORI_API_KEY or <data>/admin-token)');
  const common = (command: Command) =>
    command
      .option('-e, --environment <name>', 'default: the first configured environment')
      .option('-f, --format <format>', 'json, html (printable A4), xlsx or csv', 'json')
      .option('-t, --table <id>', 'for csv: which table (the server lists them when it is missing)')
      .option('--lang <ja|en>', 'language of headers and texts', 'ja')
      .option('-o, --out <file>', 'write here (needed for xlsx; default for the others: stdout)');
  common(report.command('monthly').description('the monthly report: availability, response times against 5 s, incidents, CPU, log errors'))
    .requiredOption('-m, --month <YYYY-MM>', 'the month, e.g. 2026-10 (days in the configured time zone)')
    .action((o: Options & { month: string }) => fetchReport('monthly', { month: o.month }, o));
  common(report.command('capacity').description('the capacity review: CPU per host against its agreed threshold, with when its trend crosses it')).action((o: Options) => fetchReport('capacity', {}, o));
  common(report.command('annual').description('the annual analysis: 12 months side by side, worst targets and hosts, a drafted improvement plan'))
    .requiredOption('--from <YYYY-MM>', 'the first of the 12 months')
    .action((o: Options & { from: string }) => fetchReport('annual', { from: o.from }, o));
  return report;
}

async function fetchReport(kind: 'monthly' | 'annual' | 'capacity', period: Record<string, string>, o: Options): Promise<void> {
  if (o.format === 'xlsx' && !o.out) throw new Error('--format xlsx needs --out <file>');
  const params = new URLSearchParams({ ...period, format: o.format, lang: o.lang });
  if (o.environment) params.set('environment', o.environment);
  if (o.table) params.set('table', o.table);
  const started = performance.now();
  const response = await fetchServer(`/api/v1/reports/${kind}?${params}`, { headers: { accept: 'application/x-ndjson' } }, process.env, 'api');
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    throw new Error(`${response.status}: ${body.message ?? response.statusText}`);
  }
  // The server sends its progress as lines, then the file (base64) in the last one.
  let bytes: Buffer | undefined;
  for await (const text of readline.createInterface({ input: Readable.fromWeb(response.body as never), crlfDelay: Infinity })) {
    if (!text.trim()) continue;
    const line = JSON.parse(text) as { progress?: { done: number; total: number; phase?: string }; file?: { base64: string }; error?: { status: number; message: string } };
    // The server names each phase as it finishes (the annual analysis: months; the others: their sections).
    if (line.progress) process.stderr.write(`\r${progressText(line.progress)}`);
    if (line.error) throw new Error(`${line.error.status}: ${line.error.message}`);
    if (line.file) bytes = Buffer.from(line.file.base64, 'base64');
  }
  if (!bytes) throw new Error('the server ended the report without sending it');
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (!o.out) {
    process.stderr.write(`\rdone in ${seconds} s${' '.repeat(30)}\n`);
    process.stdout.write(bytes);
    return;
  }
  fs.writeFileSync(o.out, bytes, { mode: 0o600 });
  process.stderr.write(`\rwrote ${o.out} (${(bytes.length / 1024).toFixed(1)} KiB) in ${seconds} s${' '.repeat(20)}\n`);
}
