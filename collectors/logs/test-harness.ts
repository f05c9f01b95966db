import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Spool } from '../core/spool.ts';
import { LogTailCollector } from './collector.ts';
import type { LogSourceConfig } from '../config.ts';

// For the tail tests: real files and a real spool; what a server would
// receive is read back from the spool.
const id = { environment: 'staging', host: 'test-host' };

/** A fresh directory (test/helpers' tempDir would load the server for nothing). */
export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mimamori-tail-'));
}

/** A temp dir with app.log followed by the glob app*.log; `open` starts an agent's tailer (again) on the same spool. */
export async function setupTail(source: Partial<LogSourceConfig> = {}) {
  const dir = tempDir();
  const spoolDir = path.join(dir, 'spool');
  const log = path.join(dir, 'app.log');
  const cfg: LogSourceConfig = { path: path.join(dir, 'app*.log'), service: 'app', environment: 'staging', format: 'auto', ...source };
  const open = async () => {
    const spool = await Spool.open(spoolDir, { maxBytes: 1e9, batchRecords: 1e6, warn: () => undefined });
    return { spool, tail: new LogTailCollector(id, [cfg], spool) };
  };
  return { dir, log, open };
}

/** The messages spooled so far, acknowledged as a server would. */
export async function drain(spool: Spool): Promise<string[]> {
  const messages: string[] = [];
  for (let batch = await spool.next('logs'); batch; batch = await spool.next('logs')) {
    for (const line of fs.readFileSync(batch.file, 'utf8').split('\n').filter(Boolean)) messages.push(JSON.parse(line).message);
    await spool.acknowledge(batch);
  }
  return messages;
}

/** Whether this process holds the file open for reading (Linux /proc); the test's own writer is not counted. */
export function heldForReading(file: string): boolean {
  return fs.readdirSync('/proc/self/fd').some((fd) => {
    try {
      const flags = Number.parseInt(/^flags:\s*(\d+)/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1]!, 8);
      return fs.readlinkSync(`/proc/self/fd/${fd}`) === file && (flags & 3) === 0; // O_ACCMODE is O_RDONLY
    } catch {
      return false; // closed while listing
    }
  });
}
