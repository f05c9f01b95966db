import fs from 'node:fs/promises';
import path from 'node:path';
import { fingerprintOf, type FilePosition } from './tracked-file.ts';

/**
 * Where a file from a saved position is now, when it was renamed within its
 * directory while the agent was down (rotation): the same inode with the
 * same first bytes. Undefined when it is gone or the inode was reused.
 */
export async function findRenamedFile(position: FilePosition): Promise<string | undefined> {
  const dir = path.dirname(position.path);
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    const candidate = path.join(dir, name);
    const stat = await fs.stat(candidate).catch(() => undefined);
    if (!stat?.isFile() || stat.dev !== position.dev || stat.ino !== position.ino) continue;
    if (await startsAsSaved(candidate, position)) return candidate;
  }
  return undefined;
}

async function startsAsSaved(file: string, position: FilePosition): Promise<boolean> {
  const handle = await fs.open(file, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    return (await fingerprintOf(handle, position.fingerprintLength)).fingerprint === position.fingerprint;
  } finally {
    await handle.close();
  }
}
