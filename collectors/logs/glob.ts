import fs from 'node:fs/promises';
import path from 'node:path';

/** Files matching a path whose last part may hold * and ? (e.g. /var/log/nginx/*.log). */
export async function expandGlob(pattern: string): Promise<string[]> {
  const dir = path.dirname(pattern);
  const base = path.basename(pattern);
  if (!/[*?]/.test(base)) return (await exists(pattern)) ? [pattern] : [];
  const regex = new RegExp(`^${base.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => regex.test(n)).sort().map((n) => path.join(dir, n));
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then((s) => s.isFile(), () => false);
}
