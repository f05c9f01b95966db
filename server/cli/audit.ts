import path from 'node:path';
import { Command } from 'commander';
import { callServer, ServerUnreachable } from './client.ts';
import type { VerifyResult } from '../audit/index.ts';

/** `mimamori audit verify`: proves the audit chain intact, or names the first broken entry (exit 1). */
export function auditCommand(): Command {
  const audit = new Command('audit').description('the audit trail of who did what (items 15, 16)');
  audit
    .command('verify')
    .description('walk the whole chain: exit 0 when intact, 1 naming the first broken entry (asks the running server; reads MIMAMORI_DATA directly when none runs)')
    .option('--json', 'print the JSON answer')
    .action(async (o: { json?: boolean }) => {
      let result: VerifyResult;
      try {
        result = (await callServer('/api/v1/audit/verify', {}, process.env, 'api')) as VerifyResult;
      } catch (error) {
        if (!(error instanceof ServerUnreachable)) throw error;
        process.stderr.write(`${error.message}\nreading ${path.resolve(process.env.MIMAMORI_DATA ?? './data')} directly\n`);
        result = await verifyDirectly();
      }
      if (o.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else if (result.ok) process.stdout.write(`audit trail intact: ${result.entries} entries, head ${result.last.seq} ${result.last.hash.slice(0, 16)}… (${result.seconds.toFixed(2)} s)\n`);
      else process.stdout.write(`audit trail BROKEN at entry ${result.broken!.seq}: ${result.broken!.reason}\n(${result.entries} entries before it are intact)\n`);
      if (!result.ok) process.exitCode = 1;
    });
  return audit;
}

async function verifyDirectly(): Promise<VerifyResult> {
  // Loaded only here: the embedded engine is large, and only this fallback needs it.
  const { openStorage, isDataDirInUse } = await import('../storage/client.ts');
  const { verifyChain, readHeadFile, AUDIT_HEAD_FILE } = await import('../audit/index.ts');
  const dataDir = path.resolve(process.env.MIMAMORI_DATA ?? './data');
  const storage = await openStorage({ dataDir, clickhouseUrl: process.env.CLICKHOUSE_URL, log: () => undefined }).catch((error: Error) => {
    if (isDataDirInUse(error)) throw new Error('the data directory is held by a Mimamori server that this command cannot reach (check MIMAMORI_URL)');
    throw error;
  });
  try {
    // Entries still in the audit's write-ahead log (the server stopped before loading them) are loaded first; the head file is left alone.
    const { BatchedWriter } = await import('../storage/writer.ts');
    const noop = () => undefined;
    const writer = await BatchedWriter.open(storage, dataDir, { flushIntervalMs: 1000, flushRows: 100_000 }, { loaded: noop, retrying: noop, setAside: noop }, ['audit_log']);
    await writer.close();
    return await verifyChain(storage, readHeadFile(path.join(dataDir, AUDIT_HEAD_FILE)));
  } finally {
    await storage.close();
  }
}
