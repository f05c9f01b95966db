import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/**
 * Rows the database refused, one request at a time: `wal/<kind>/failed/`
 * holds the request's NDJSON as it was accepted and, beside it, a JSON
 * record of whose it was and why it was refused. Nothing here is deleted by
 * Mimamori; `mimamori wal inspect` shows them and `mimamori wal retry`
 * sends them through the ingest judge again.
 */
export interface SetAsideRecord {
  kind: string;
  /** The write-ahead segment and the request's place in it. */
  segment: string;
  request: number;
  rows: number;
  bytes: number;
  /** Name of the ingest token that sent it (never the token itself). */
  token: string;
  idempotency_key: string;
  received_at: string;
  set_aside_at: string;
  code: number | null;
  reason: string;
}

export interface SetAsideFile extends SetAsideRecord {
  /** Path of the NDJSON file. */
  file: string;
}

export const FAILED_DIR = 'failed';

const baseName = (walDir: string, segment: string, request: number) => path.join(walDir, FAILED_DIR, `${segment}-r${String(request).padStart(5, '0')}`);

export function isSetAside(walDir: string, segment: string, request: number): boolean {
  return fs.existsSync(`${baseName(walDir, segment, request)}.ndjson`);
}

export async function setAside(walDir: string, record: SetAsideRecord, data: Buffer): Promise<string> {
  await fsp.mkdir(path.join(walDir, FAILED_DIR), { recursive: true });
  const base = baseName(walDir, record.segment, record.request);
  // The record first, the bytes last and whole (renamed into place): a request
  // counts as set aside only once its bytes are all there.
  await fsp.writeFile(`${base}.json`, `${JSON.stringify(record, null, 2)}\n`);
  await fsp.writeFile(`${base}.ndjson.tmp`, data);
  await fsp.rename(`${base}.ndjson.tmp`, `${base}.ndjson`);
  return `${base}.ndjson`;
}

/** Every set-aside request under <dataDir>/wal, oldest first. */
export async function listSetAside(dataDir: string): Promise<SetAsideFile[]> {
  const found: SetAsideFile[] = [];
  const walRoot = path.join(dataDir, 'wal');
  for (const kind of await fsp.readdir(walRoot).catch(() => [] as string[])) {
    const dir = path.join(walRoot, kind, FAILED_DIR);
    for (const name of (await fsp.readdir(dir).catch(() => [] as string[])).sort()) {
      if (!name.endsWith('.ndjson')) continue;
      const file = path.join(dir, name);
      const sidecar = `${file.slice(0, -'.ndjson'.length)}.json`;
      const record = await fsp
        .readFile(sidecar, 'utf8')
        .then((text) => JSON.parse(text) as SetAsideRecord)
        .catch(async () => {
          // A segment moved aside by an older version: no record, only the bytes.
          const bytes = (await fsp.stat(file)).size;
          return { kind, segment: name.slice(0, -'.ndjson'.length), request: 0, rows: 0, bytes, token: '', idempotency_key: '', received_at: '', set_aside_at: '', code: null, reason: 'unknown (no record beside the file)' };
        });
      found.push({ ...record, kind, file });
    }
  }
  return found;
}

export async function removeSetAside(file: string): Promise<void> {
  await fsp.rm(file, { force: true });
  await fsp.rm(`${file.slice(0, -'.ndjson'.length)}.json`, { force: true });
}
