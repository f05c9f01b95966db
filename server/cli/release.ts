import fs from 'node:fs';
import { Readable } from 'node:stream';
import { Command } from 'commander';
import { callServer, fetchServer } from './client.ts';
import type { Judgement } from '../releases/judgement.ts';
import type { RunView } from '../releases/views.ts';

/** The upload's answer (`{ id, release, ...judgement }`) and a run as a release lists it both carry the judgement. */
type RunAnswer = Judgement & { id: string; release: string | null };

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** `mimamori release add|list|decide`: the release history (item 10) and go/no-go (item 11), through the running server with the API key. */
export function releaseCommand(): Command {
  const release = new Command('release').description('releases: record one, list them, decide go/no-go (MIMAMORI_API_KEY or <data>/admin-token)');
  release
    .command('add')
    .description('record a release of an environment')
    .requiredOption('-e, --environment <name>', 'e.g. production')
    .requiredOption('-v, --version <version>', 'e.g. 2.4.0')
    .requiredOption('-s, --summary <text>', 'what it changes')
    .option('--link <url>', 'release notes, a change ticket')
    .option('--at <time>', 'when it was released (ISO 8601; default: now)')
    .action(async (o: { environment: string; version: string; summary: string; link?: string; at?: string }) => {
      const body = { environment: o.environment, version: o.version, summary: o.summary, ...(o.link ? { link: o.link } : {}), ...(o.at ? { released_at: new Date(o.at).toISOString() } : {}) };
      const answer = (await callServer('/api/v1/releases', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, process.env, 'api')) as { id: string; version: string };
      process.stdout.write(`${answer.id}\t${answer.version}\n`);
    });
  release
    .command('list')
    .description('the release history, newest first, with each run’s verdict and the decision')
    .option('-e, --environment <name>')
    .action(async (o: { environment?: string }) => {
      const answer = (await callServer(`/api/v1/releases${o.environment ? `?environment=${encodeURIComponent(o.environment)}` : ''}`, {}, process.env, 'api')) as { releases: { id: string; environment: string; version: string; released_at: string; runs: { verdict: string }[]; decision: { decision: string } | null }[] };
      for (const r of answer.releases) process.stdout.write(`${r.id}\t${r.environment}\t${r.version}\t${r.released_at}\t${r.runs.map((x) => x.verdict).join(',') || '-'}\t${r.decision?.decision ?? 'undecided'}\n`);
    });
  release
    .command('decide <id>')
    .description('go, no_go or go_with_conditions (approver)')
    .requiredOption('-d, --decision <decision>', 'go | no_go | go_with_conditions')
    .requiredOption('-c, --comment <text>', 'why, or which conditions')
    .action(async (id: string, o: { decision: string; comment: string }) => {
      const answer = await callServer(`/api/v1/releases/${encodeURIComponent(id)}/decision`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ decision: o.decision, comment: o.comment }) }, process.env, 'api');
      process.stdout.write(json((answer as { decision: unknown }).decision));
    });
  return release;
}

/** `mimamori loadtest upload`: a k6 result file (summary export, handleSummary JSON or --out json lines, gzip allowed), streamed to the server. */
export function loadtestCommand(): Command {
  const loadtest = new Command('loadtest').description('k6 results as evidence for a release');
  loadtest
    .command('upload <file>')
    .description('upload a k6 result: --summary-export JSON, the handleSummary data object, or --out json lines (.gz allowed); prints the verdict')
    .option('-r, --release <id>', 'attach it to this release at once')
    .option('-e, --environment <name>', 'without --release: the environment it was run against')
    .action(async (file: string, o: { release?: string; environment?: string }) => {
      const size = fs.statSync(file).size;
      const params = new URLSearchParams({ name: file.split('/').pop()! });
      if (o.release) params.set('release', o.release);
      if (o.environment) params.set('environment', o.environment);
      let sent = 0;
      const started = performance.now();
      const stream = fs.createReadStream(file).on('data', (chunk) => {
        sent += chunk.length;
        process.stderr.write(`\r${((100 * sent) / size).toFixed(0).padStart(3)} % of ${(size / 1048576).toFixed(1)} MiB`);
      });
      const gzip = file.endsWith('.gz') || startsWithGzipMagic(file);
      const response = await fetchServer(`/api/v1/loadtests?${params}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
        body: Readable.toWeb(stream) as ReadableStream,
        duplex: 'half',
      } as RequestInit, process.env, 'api');
      const answer = (await response.json().catch(() => ({}))) as RunAnswer & { message?: string };
      process.stderr.write(`\r${' '.repeat(40)}\r`);
      if (!response.ok) throw new Error(`${response.status}: ${answer.message ?? response.statusText}`);
      process.stderr.write(`uploaded in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
      printRun(answer);
    });
  loadtest
    .command('list')
    .description('k6 runs, newest first: id, environment, release (- while waiting), verdict, uploaded at, file')
    .option('-u, --unattached', 'only the runs waiting to be attached to a release')
    .option('-e, --environment <name>', 'only this environment')
    .action(async (o: { unattached?: boolean; environment?: string }) => {
      // Each run says its environment and release (null while it waits).
      const runs = ((await callServer('/api/v1/loadtests', {}, process.env, 'api')) as { runs: ListedRun[] }).runs;
      if (!o.unattached) {
        const history = (await callServer(`/api/v1/releases${o.environment ? `?environment=${encodeURIComponent(o.environment)}` : ''}`, {}, process.env, 'api')) as { releases: { runs: ListedRun[] }[] };
        runs.push(...history.releases.flatMap((r) => r.runs));
      }
      const shown = runs.filter((r) => !o.environment || r.environment === o.environment).sort((a, b) => b.uploaded_at.localeCompare(a.uploaded_at));
      for (const r of shown) process.stdout.write(`${r.id}\t${r.environment}\t${r.release ?? '-'}\t${r.verdict}\t${r.uploaded_at}\t${r.file_name || '-'}\n`);
    });
  loadtest
    .command('attach <run-id>')
    .description('attach a waiting run (e.g. posted by CI with an ingest token) to a release; prints its verdict')
    .requiredOption('-r, --release <id>', 'the release it is evidence for')
    .action(async (runId: string, o: { release: string }) => {
      const answer = (await callServer(`/api/v1/releases/${encodeURIComponent(o.release)}/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ run_id: runId }) }, process.env, 'api')) as { id: string; runs: RunView[] };
      const run = answer.runs.find((r) => r.id === runId);
      if (!run) throw new Error(`${o.release} does not list ${runId} after attaching it`);
      printRun({ ...run, release: answer.id });
    });
  return loadtest;
}

type ListedRun = Pick<RunView, 'id' | 'environment' | 'release' | 'uploaded_at' | 'verdict' | 'file_name'>;

/** A run's verdict, each criterion and each k6 threshold; exit code 2 when it fails. */
function printRun(answer: RunAnswer): void {
  process.stdout.write(`${answer.id}\t${answer.verdict}${answer.release ? `\tattached to ${answer.release}` : '\tnot attached'}\n`);
  for (const c of answer.criteria) process.stdout.write(`  ${c.verdict === 'pass' ? 'ok  ' : 'FAIL'} ${c.name} ${c.value ?? '—'} (limit ${c.limit})\n`);
  for (const t of answer.thresholds) process.stdout.write(`  ${t.verdict === 'pass' ? 'ok  ' : 'FAIL'} k6 ${t.metric}: ${t.expression}${t.reason ? ` (${t.reason})` : ''}\n`);
  if (answer.k6_passed === false) process.stdout.write('  FAIL k6 itself failed the run (results.passed)\n');
  for (const note of answer.notes ?? []) if (note.code === 'submetric_thresholds_unseen') process.stdout.write(`  note: --out json carries no thresholds on sub-metrics, not judged: ${note.submetrics.join(', ')}\n`);
  if (answer.verdict === 'fail') process.exitCode = 2;
}

function startsWithGzipMagic(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    return fs.readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    fs.closeSync(fd);
  }
}
