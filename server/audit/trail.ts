import fs from 'node:fs';
import path from 'node:path';
import type { Storage } from '../storage/client.ts';
import { BatchedWriter } from '../storage/writer.ts';
import { sql } from '../storage/sql.ts';
import { GENESIS, seal, type AuditEntry, type AuditFields } from './chain.ts';

export const AUDIT_HEAD_FILE = 'audit-head';
export const AUDIT_TABLE = 'audit_log';

export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * The one writer of the audit chain. An entry is sealed (its sequence number
 * and the hash over the one before) in call order, appended to its own
 * write-ahead log, and answered once that is on disk; the head (count and
 * hash) is then also written to <data>/audit-head, outside the table, so
 * removing the newest entries is found too. ClickHouse receives the entries
 * from the log within about a flush interval.
 */
export class AuditTrail {
  private headWrite: Promise<void> | undefined;

  private constructor(
    private readonly writer: BatchedWriter<typeof AUDIT_TABLE>,
    private readonly headFile: string,
    private head: ChainHead,
    private durable: ChainHead,
  ) {}

  static async open(storage: Storage, dataDir: string, options: { flushIntervalMs: number; onError?: (error: Error) => void }): Promise<AuditTrail> {
    const writer = await BatchedWriter.open<typeof AUDIT_TABLE>(storage, dataDir, { flushIntervalMs: options.flushIntervalMs, flushRows: 100_000 }, {
      loaded: () => undefined,
      retrying: (_t, error) => options.onError?.(error),
      setAside: (_t, info) => options.onError?.(new Error(`audit entries refused by the database: ${info.reason}`)),
    }, [AUDIT_TABLE]);
    const headFile = path.join(dataDir, AUDIT_HEAD_FILE);
    const head = newer(await storedHead(storage), readHeadFile(headFile));
    // Entries written just before a crash, whose head had no time to reach the file: the file catches up.
    writeHeadFile(headFile, head);
    return new AuditTrail(writer, headFile, head, head);
  }

  /** Seals and durably appends one entry; resolves when it is on disk (the change it records may then be answered). */
  async append(fields: AuditFields): Promise<AuditEntry> {
    // Sealed synchronously, so entries chain in call order even when many arrive at once;
    // the log keeps that order on disk, and one fsync answers many.
    const entry = seal(this.head, fields);
    this.head = { seq: entry.seq, hash: entry.hash };
    await this.writer.write(AUDIT_TABLE, Buffer.from(`${JSON.stringify(entry)}\n`), 1, '', { token: '' });
    if (entry.seq > this.durable.seq) this.durable = { seq: entry.seq, hash: entry.hash };
    await this.writeHead();
    return entry;
  }

  /** Entries made durable by one fsync resolve together: one head-file write (after them all) answers them all. */
  private writeHead(): Promise<void> {
    this.headWrite ??= new Promise<void>((resolve, reject) =>
      setImmediate(() => {
        this.headWrite = undefined;
        try {
          writeHeadFile(this.headFile, this.durable);
          resolve();
        } catch (error) {
          reject(error as Error);
        }
      }),
    );
    return this.headWrite;
  }

  /** Loads every entry accepted so far into ClickHouse (verify and browse read the table). */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  close(): Promise<void> {
    return this.writer.close();
  }

  get current(): ChainHead {
    return this.durable;
  }
}

async function storedHead(storage: Storage): Promise<ChainHead> {
  const [row] = await storage.query<{ seq: number; hash: string }>(sql`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`);
  return row ? { seq: Number(row.seq), hash: row.hash } : { seq: 0, hash: GENESIS };
}

/** The head written after the newest durable entry (undefined before the first). */
export function readHeadFile(file: string): ChainHead | undefined {
  try {
    const head = JSON.parse(fs.readFileSync(file, 'utf8')) as ChainHead;
    return Number.isInteger(head.seq) && typeof head.hash === 'string' ? head : undefined;
  } catch {
    return undefined;
  }
}

function writeHeadFile(file: string, head: ChainHead): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(head)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** After a crash the table may hold an entry the head file had no time to name, or the head an entry still in the log. */
function newer(table: ChainHead, file: ChainHead | undefined): ChainHead {
  return file && file.seq > table.seq ? file : table;
}
