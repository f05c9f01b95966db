import { createHash, timingSafeEqual } from 'node:crypto';

export interface IngestToken {
  name: string;
  secret: string;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** The name of the token that the Authorization header carries, or undefined. Constant-time per token. */
export function matchBearer(header: string | undefined, tokens: readonly IngestToken[]): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const offered = digest(match[1]!);
  let found: string | undefined;
  for (const token of tokens) if (timingSafeEqual(offered, digest(token.secret))) found ??= token.name;
  return found;
}
