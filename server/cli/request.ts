import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { Command } from 'commander';
import { callServer, serverConnection } from './client.ts';

interface RequestAnswer {
  id: string;
  operation: string;
  description: { ja: string; en: string };
  reason: string;
  requester: { name: string };
  created_at: string;
  state: string;
  decided_by: { name: string } | null;
  result: { files: string[]; summary: string } | null;
  error: string | null;
}

const call = (p: string, init: RequestInit = {}) => callServer(p, { ...init, headers: init.body ? { 'content-type': 'application/json' } : {} }, process.env, 'api');
const ja = /^ja/i.test(process.env.LC_ALL || process.env.LANG || '');
const line = (r: RequestAnswer) => `${r.id}  ${r.state.padEnd(8)} ${r.operation}: ${ja ? r.description.ja : r.description.en}  (asked by ${r.requester.name} ${r.created_at.slice(0, 16)}${r.decided_by ? `, decided by ${r.decided_by.name}` : ''})${r.result ? `\n    → ${r.result.summary}${filesText(r.result.files)}` : ''}${r.error ? `\n    → failed: ${r.error}` : ''}`;

/** The files of a run: all of a few, the count and the first of many (a hand-over bundle has dozens). */
const filesText = (files: string[]) => (files.length === 0 ? '' : files.length <= 6 ? `; files: ${files.join(', ')}` : `; ${files.length} files: ${files.slice(0, 3).join(', ')}, …`);

/** `mimamori request list|create|approve|reject|download`: four-eyes requests (item 16), through the running server with your API key. */
export function requestCommand(): Command {
  const request = new Command('request').description('requests that wait for a second person: exports of raw rows, deletions, shorter retention');
  request.command('list').description('every request, newest first').option('--pending', 'only those waiting for a decision').option('--json', 'print the JSON answer').action(async (o: { pending?: boolean; json?: boolean }) => {
    const { requests } = (await call('/api/v1/requests')) as { requests: RequestAnswer[] };
    const shown = o.pending ? requests.filter((r) => r.state === 'pending') : requests;
    if (o.json) return void process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    for (const r of shown) process.stdout.write(`${line(r)}\n    why: ${r.reason}\n`);
    if (shown.length === 0) process.stdout.write('no requests\n');
  });
  request
    .command('create')
    .description('ask for an operation; it runs once someone else (approver or admin) approves it')
    .argument('<operation>', 'export.telemetry, export.audit, export.ledger, purge.telemetry, … (GET /api/v1/operations)')
    .option('--param <name=value>', 'a parameter, e.g. kind=logs, from=2026-11-01, to=2026-12-01, environment=production (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .requiredOption('--reason <text>', 'why: the approver reads it')
    .action(async (operation: string, o: { param: string[]; reason: string }) => {
      const params: Record<string, string> = {};
      for (const p of o.param) {
        const at = p.indexOf('=');
        if (at < 1) throw new Error(`--param ${p}: write it as name=value`);
        params[p.slice(0, at)] = p.slice(at + 1);
      }
      const r = (await call('/api/v1/requests', { method: 'POST', body: JSON.stringify({ operation, params, reason: o.reason }) })) as RequestAnswer;
      process.stdout.write(`${line(r)}\n`);
    });
  request.command('approve').description('approve someone else’s request (approver or admin key): it runs at once').argument('<id>').action(async (id: string) => {
    const r = (await call(`/api/v1/requests/${encodeURIComponent(id)}/approve`, { method: 'POST', body: '{}' })) as RequestAnswer;
    process.stdout.write(`${line(r)}\n`);
    if (r.state === 'failed') process.exitCode = 1;
  });
  request.command('reject').description('reject a request (approver or admin), or withdraw your own').argument('<id>').requiredOption('--reason <text>', 'why: the requester reads it').action(async (id: string, o: { reason: string }) => {
    process.stdout.write(`${line((await call(`/api/v1/requests/${encodeURIComponent(id)}/reject`, { method: 'POST', body: JSON.stringify({ reason: o.reason }) })) as RequestAnswer)}\n`);
  });
  request.command('download').description('download what an approved export wrote (its requester or approver, for 7 days)').argument('<id>').option('--out <dir>', 'where to put the files', '.').action(async (id: string, o: { out: string }) => {
    const r = (await call(`/api/v1/requests/${encodeURIComponent(id)}`)) as RequestAnswer;
    if (!r.result?.files.length) throw new Error(`${id} is ${r.state} and has no files`);
    const { url, token } = serverConnection(process.env, 'api');
    fs.mkdirSync(o.out, { recursive: true });
    for (const file of r.result.files) {
      const res = await fetch(`${url}/api/v1/requests/${encodeURIComponent(id)}/files/${encodeURIComponent(file)}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      if (!res.ok) throw new Error(`${file}: ${res.status} ${((await res.json().catch(() => ({}))) as { message?: string }).message ?? res.statusText}`);
      const target = path.join(o.out, file);
      // Streamed: an export of raw rows may be larger than memory.
      await pipeline(Readable.fromWeb(res.body as ReadableStream), fs.createWriteStream(target, { mode: 0o600 }));
      process.stdout.write(`${target}\n`);
    }
  });
  return request;
}
