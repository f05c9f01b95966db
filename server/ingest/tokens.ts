import { readOrCreateSecretFile } from '../shared/secret-file.ts';
import type { IngestToken } from './auth.ts';

export const LOCAL_TOKEN_FILE = 'ingest-token';

/**
 * Tokens that ingest accepts: those named in the config, MIMAMORI_INGEST_TOKEN
 * (for automation), and a local token kept in <dataDir>/ingest-token (mode
 * 0600, created on first start) that the in-process agent and the CLI use.
 */
export function resolveIngestTokens(configured: readonly IngestToken[], env: NodeJS.ProcessEnv, dataDir: string): IngestToken[] {
  const tokens = [...configured];
  if (env.MIMAMORI_INGEST_TOKEN) tokens.push({ name: 'env:MIMAMORI_INGEST_TOKEN', secret: env.MIMAMORI_INGEST_TOKEN });
  tokens.push({ name: 'local', secret: readOrCreateLocalToken(dataDir) });
  return tokens;
}

export function readOrCreateLocalToken(dataDir: string): string {
  return readOrCreateSecretFile(dataDir, LOCAL_TOKEN_FILE);
}
