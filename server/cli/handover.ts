import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { Command } from 'commander';
import { callServer, fetchServer } from './client.ts';
import { bar, count, progressLine } from './progress.ts';
import { isBundleFileName, type Manifest } from '../handover-bundle/manifest.ts';

interface RequestAnswer {
  id: string;
  state: string;
  progress?: { done: number; total: number; step: string };
  error: string | null;
  result: { files: string[]; summary: string } | null;
}

const call = (p: string, init: RequestInit = {}) => callServer(p, { ...init, headers: init.body ? { 'content-type': 'application/json' } : {} }, process.env, 'api');
/** The exit code of "asked, waiting for a second person": not a failure, not done. */
const WAITING = 2;

/** `mimamori export handover`: the hand-over bundle (item 8), through four-eyes approval, downloaded here. */
export function exportCommand(): Command {
  const command = new Command('export').description('exports that leave the instance');
  command
    .command('handover')
    .description('the hand-over bundle: every table (Parquet + CSV), schema, learned state, manifest with checksums. Without --request it asks for approval and exits 2; another person runs `mimamori request approve <id>`; then run it again with --request <id>')
    .requiredOption('--out <dir>', 'where to put the bundle on this host')
    .option('--request <id>', 'the approved request to run and download')
    .option('--reason <text>', 'why (the approver reads it)', 'hand-over of the accumulated data to the next operator')
    .action(async (o: { out: string; request?: string; reason: string }) => {
      if (!o.request) {
        const made = (await call('/api/v1/requests', { method: 'POST', body: JSON.stringify({ operation: 'export.handover', params: {}, reason: o.reason }) })) as RequestAnswer;
        process.stdout.write(`asked for approval: ${made.id}\n承認を申請しました: ${made.id}\n\nAnother person (approver or admin) runs:  mimamori request approve ${made.id}\nthen you run:  mimamori export handover --out ${o.out} --request ${made.id}\n`);
        process.exitCode = WAITING;
        return;
      }
      const request = await waitUntilRan(o.request);
      if (!request) return;
      await download(request, o.out);
    });
  return command;
}

/** Waits while the approved export runs on the server; undefined (exit 2) while nobody approved it yet. */
async function waitUntilRan(id: string): Promise<RequestAnswer | undefined> {
  const line = progressLine();
  const started = Date.now();
  for (;;) {
    const r = (await call(`/api/v1/requests/${encodeURIComponent(id)}`)) as RequestAnswer & { operation: string };
    if (r.operation !== 'export.handover') throw new Error(`${id} is a request for ${r.operation}, not export.handover`);
    if (r.state === 'ran') {
      line.done(`${bar(1, 1)} the server wrote the bundle: ${r.result?.summary ?? ''}`);
      return r;
    }
    if (r.state === 'pending') {
      process.stdout.write(`${id} waits for approval by another person (mimamori request approve ${id})\n${id} は別の人の承認待ちです\n`);
      process.exitCode = WAITING;
      return undefined;
    }
    if (r.state !== 'approved') throw new Error(`${id} is ${r.state}${r.error ? `: ${r.error}` : ''}`);
    const p = r.progress;
    line.update(`${p ? `${bar(p.done, p.total)} ${p.done}/${p.total} tables, writing ${p.step}` : 'the server is writing the bundle…'} ${Math.round((Date.now() - started) / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

/** Downloads every file of the bundle, the manifest first, each checked against its SHA-256 as it arrives. */
async function download(request: RequestAnswer, out: string): Promise<void> {
  fs.mkdirSync(out, { recursive: true });
  const { createHash } = await import('node:crypto');
  const get = async (file: string, onBytes?: (n: number) => void) => {
    if (!isBundleFileName(file)) throw new Error(`the server named a file outside the bundle: ${JSON.stringify(file)}`);
    const res = await fetchServer(`/api/v1/requests/${encodeURIComponent(request.id)}/files/${encodeURIComponent(file)}`, {}, process.env, 'api');
    if (!res.ok || !res.body) throw new Error(`${file}: ${res.status} ${((await res.json().catch(() => ({}))) as { message?: string }).message ?? res.statusText}`);
    const hash = createHash('sha256');
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        onBytes?.(chunk.length);
        done(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(res.body as ReadableStream), tap, fs.createWriteStream(path.join(out, file), { mode: 0o600 }));
    return hash.digest('hex');
  };
  await get('manifest.json');
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as Manifest;
  const line = progressLine();
  const started = performance.now();
  let total = 0;
  for (const table of manifest.tables) {
    const tableStarted = performance.now();
    const bytes = table.files.reduce((n, f) => n + f.bytes, 0);
    let got = 0;
    const show = () => {
      const seconds = (performance.now() - tableStarted) / 1000;
      const rows = bytes ? (table.rows * got) / bytes : table.rows;
      return `${bar(got, bytes)} ${table.name.padEnd(22)} ${count(rows).padStart(12)} rows  ${count(seconds > 0 ? rows / seconds : 0).padStart(10)} rows/s`;
    };
    for (const file of table.files) {
      const sha = await get(file.name, (n) => {
        got += n;
        line.update(show());
      });
      if (sha !== file.sha256) throw new Error(`${file.name} arrived changed (SHA-256 ${sha}, the manifest says ${file.sha256})`);
    }
    total += table.rows;
    line.done(show());
  }
  for (const file of manifest.files) {
    if ((await get(file.name)) !== file.sha256) throw new Error(`${file.name} arrived changed`);
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`bundle in ${out}: ${manifest.tables.length} tables, ${count(total)} rows, every file's SHA-256 checked (${seconds.toFixed(1)} s)\n引き継ぎ一式を ${out} に保存しました\n`);
}

/** `mimamori import handover DIR`: a bundle into a fresh instance whose server is stopped. */
export function importCommand(): Command {
  const command = new Command('import').description('imports into this instance (its server stopped)');
  command
    .command('handover')
    .description('load a hand-over bundle into a fresh instance, its server stopped: checks every checksum first, loads each table by ClickHouse reading the Parquet, then verifies the audit chain. The tables go to MIMAMORI_DATA (or to CLICKHOUSE_URL\'s server); the miner\'s state and the audit head always to MIMAMORI_DATA, which must be the directory of the Mimamori that will run on them')
    .argument('<dir>', 'the bundle')
    .option('--replace', 'the instance is not empty: delete what it holds first')
    .action(async (dir: string, o: { replace?: boolean }) => {
      const { checkBundle, importBundle } = await import('../handover-bundle/import.ts');
      const { openStorage, isDataDirInUse } = await import('../storage/client.ts');
      const line = progressLine();
      const manifest = await checkBundle(dir, { checking: (file, done, total) => line.update(`${bar(done, total)} checking ${done}/${total} ${file}`) });
      line.done(`${bar(1, 1)} every file matches its SHA-256 (${manifest.tables.length} tables, exported ${manifest.exported_at} by Mimamori ${manifest.mimamori_version})`);
      // With a server, the tables go there, but the miner's state and the audit head to MIMAMORI_DATA: it must be named,
      // or a Mimamori elsewhere would mine every imported line again.
      if (process.env.CLICKHOUSE_URL && !process.env.MIMAMORI_DATA) throw new Error('with CLICKHOUSE_URL, set MIMAMORI_DATA to the data directory of the Mimamori that will run on this server (docs/OPERATIONS.md, "The hand-over bundle")');
      const dataDir = path.resolve(process.env.MIMAMORI_DATA ?? './data');
      const storage = await openStorage({ dataDir, clickhouseUrl: process.env.CLICKHOUSE_URL, cluster: process.env.CLICKHOUSE_CLUSTER, log: () => undefined }).catch((error: Error) => {
        if (isDataDirInUse(error)) throw new Error(`${dataDir} is held by a running Mimamori server: stop it first`);
        throw error;
      });
      try {
        const result = await importBundle(storage, dataDir, dir, manifest, {
          replace: o.replace,
          progress: { loaded: (table, rows, seconds, done, total) => line.done(`${bar(done, total)} ${table.padEnd(22)} ${count(rows).padStart(12)} rows  ${count(seconds > 0 ? rows / seconds : rows).padStart(10)} rows/s`) },
        });
        process.stdout.write(`imported ${count(result.rows)} rows in ${result.seconds.toFixed(1)} s; the audit chain verifies (${result.chain.entries} entries, the last one this import)\n引き継ぎ一式を取り込みました。監査証跡の検証に成功しました\n`);
        process.stdout.write('Accounts came without passwords: an administrator sets each one a new initial password (mimamori user reset-password <id>).\n');
      } finally {
        await storage.close();
      }
    });
  return command;
}
