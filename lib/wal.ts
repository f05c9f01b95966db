import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Write-ahead log for one table: accepted request bodies (NDJSON) are
 * appended to a segment file and fsynced before the request is answered,
 * so "acknowledged" means "on disk". Closed segments are bulk-loaded into
 * ClickHouse by the writer and then removed.
 *
 * Beside each `<id>.ndjson` a `<id>.commits` file holds one line per
 * request (key, rows, byte range), written after that request's data. On
 * recovery a segment is cut back to the end of its last commit record, so
 * a request that was half-written when the process died is not replayed.
 */

export interface CommitRecord {
  key: string;
  rows: number;
  start: number;
  end: number;
  at: number;
  /** Whatever the writer needs restored with the data (e.g. a log tailer's file positions). */
  meta?: unknown;
}

export interface Segment {
  /** Unique across restarts: it is the ClickHouse deduplication token. */
  id: string;
  dataPath: string;
  commitsPath: string;
  rows: number;
  bytes: number;
  commits: CommitRecord[];
}

interface OpenSegment extends Segment {
  data: fsp.FileHandle;
  commitLog: fsp.FileHandle;
  openedAt: number;
  /** Serialises writes so the data file is always a prefix of committed requests plus at most one partial one. */
  tail: Promise<void>;
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
  syncing: boolean;
}

const BOOT_ID = randomBytes(4).toString('hex');
let sequence = 0;

export class WriteAheadLog {
  private current: OpenSegment | undefined;
  private opening: Promise<OpenSegment> | undefined;

  private constructor(readonly dir: string) {}

  /** Opens the log and returns the segments a previous process left behind, repaired and oldest first. */
  static async open(dir: string): Promise<{ wal: WriteAheadLog; leftovers: Segment[] }> {
    await fsp.mkdir(dir, { recursive: true });
    const names = (await fsp.readdir(dir)).filter((n) => n.endsWith('.ndjson')).sort();
    const leftovers: Segment[] = [];
    for (const name of names) {
      const segment = await recoverSegment(dir, name.slice(0, -'.ndjson'.length));
      if (segment.rows > 0) leftovers.push(segment);
      else await removeFiles(segment);
    }
    return { wal: new WriteAheadLog(dir), leftovers };
  }

  get pendingRows(): number {
    return this.current?.rows ?? 0;
  }

  get pendingBytes(): number {
    return this.current?.bytes ?? 0;
  }

  get ageMs(): number {
    return this.current ? Date.now() - this.current.openedAt : 0;
  }

  /** When the oldest request in the open segment was accepted, if any. */
  get oldestAt(): number | undefined {
    return this.current?.commits[0]?.at;
  }

  /** Appends one request's NDJSON (ending in a newline); resolves once it is fsynced. */
  async append(data: Buffer, rows: number, key: string, meta?: unknown): Promise<void> {
    const segment = await this.currentSegment();
    const start = segment.bytes;
    segment.bytes += data.length;
    segment.rows += rows;
    const commit: CommitRecord = { key, rows, start, end: start + data.length, at: Date.now(), ...(meta === undefined ? {} : { meta }) };
    segment.commits.push(commit);
    const written = segment.tail.then(async () => {
      await segment.data.write(data, 0, data.length, start);
      await segment.commitLog.write(`${JSON.stringify(commit)}\n`);
    });
    segment.tail = written.catch(() => undefined);
    await written;
    await durable(segment);
  }

  /** Closes the current segment once every write to it is durable, and hands it over for loading. */
  async roll(): Promise<Segment | undefined> {
    const segment = this.current;
    if (!segment || segment.rows === 0) return undefined;
    this.current = undefined;
    await segment.tail;
    await durable(segment);
    await segment.data.close();
    await segment.commitLog.close();
    const { id, dataPath, commitsPath, rows, bytes, commits } = segment;
    return { id, dataPath, commitsPath, rows, bytes, commits };
  }

  async remove(segment: Segment): Promise<void> {
    await removeFiles(segment);
  }

  /** Closes the open segment's files without rolling it: what was written stays for the next open to recover (a stop, or a test's simulated crash). */
  async release(): Promise<void> {
    const segment = this.current ?? (await this.opening);
    this.current = undefined;
    if (!segment) return;
    await segment.tail;
    await segment.data.close();
    await segment.commitLog.close();
  }

  private currentSegment(): Promise<OpenSegment> {
    if (this.current) return Promise.resolve(this.current);
    this.opening ??= this.openSegment().then((segment) => {
      this.current = segment;
      this.opening = undefined;
      return segment;
    });
    return this.opening;
  }

  private async openSegment(): Promise<OpenSegment> {
    const id = `${Date.now().toString().padStart(14, '0')}-${BOOT_ID}-${(sequence++).toString().padStart(6, '0')}`;
    const dataPath = path.join(this.dir, `${id}.ndjson`);
    const commitsPath = path.join(this.dir, `${id}.commits`);
    const data = await fsp.open(dataPath, 'w');
    const commitLog = await fsp.open(commitsPath, 'a');
    return { id, dataPath, commitsPath, rows: 0, bytes: 0, commits: [], data, commitLog, openedAt: Date.now(), tail: Promise.resolve(), waiters: [], syncing: false };
  }
}

/** Resolves once everything written to the segment so far is fsynced. */
function durable(segment: OpenSegment): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    segment.waiters.push({ resolve, reject });
    if (!segment.syncing) void syncLoop(segment);
  });
}

/** Group commit: one fsync answers every request whose write finished before it began. */
async function syncLoop(segment: OpenSegment): Promise<void> {
  segment.syncing = true;
  while (segment.waiters.length > 0) {
    const batch = segment.waiters.splice(0);
    try {
      await segment.data.datasync();
      await segment.commitLog.datasync();
      for (const w of batch) w.resolve();
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
  segment.syncing = false;
}

async function recoverSegment(dir: string, id: string): Promise<Segment> {
  const dataPath = path.join(dir, `${id}.ndjson`);
  const commitsPath = path.join(dir, `${id}.commits`);
  const size = (await fsp.stat(dataPath)).size;
  const text = fs.existsSync(commitsPath) ? await fsp.readFile(commitsPath, 'utf8') : '';
  const commits: CommitRecord[] = [];
  let end = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    let record: CommitRecord;
    try {
      record = JSON.parse(line) as CommitRecord;
    } catch {
      break; // a torn last record: everything after it was never acknowledged
    }
    if (record.start !== end || record.end > size) break;
    commits.push(record);
    end = record.end;
  }
  if (end !== size) await fsp.truncate(dataPath, end);
  return { id, dataPath, commitsPath, rows: commits.reduce((n, c) => n + c.rows, 0), bytes: end, commits };
}

async function removeFiles(segment: Pick<Segment, 'dataPath' | 'commitsPath'>): Promise<void> {
  await fsp.rm(segment.dataPath, { force: true });
  await fsp.rm(segment.commitsPath, { force: true });
}
