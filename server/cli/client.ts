import fs from 'node:fs';
import path from 'node:path';
import { LOCAL_TOKEN_FILE } from '../ingest/tokens.ts';
import { LOCAL_ADMIN_FILE } from '../auth/actors.ts';

export type Credential = 'ingest' | 'api';

/**
 * Where the CLI finds the server, and what it sends: for ingest the agent's
 * token (MIMAMORI_TOKEN, else <data>/ingest-token), for everything else an
 * API key (MIMAMORI_API_KEY, else the local admin key <data>/admin-token).
 */
export function serverConnection(env: NodeJS.ProcessEnv = process.env, credential: Credential = 'ingest'): { url: string; token: string | undefined } {
  const url = (env.MIMAMORI_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
  const dataDir = path.resolve(env.MIMAMORI_DATA ?? './data');
  const [variable, file] = credential === 'ingest' ? [env.MIMAMORI_TOKEN, LOCAL_TOKEN_FILE] : [env.MIMAMORI_API_KEY, LOCAL_ADMIN_FILE];
  const tokenFile = path.join(dataDir, file);
  const token = variable ?? (fs.existsSync(tokenFile) ? fs.readFileSync(tokenFile, 'utf8').trim() : undefined);
  return { url, token };
}

/** No server answered at MIMAMORI_URL: a command may then open the data directory itself. */
export class ServerUnreachable extends Error {}

/** Calls the server and turns its `{ error, message }` answers into a readable failure. */
export async function callServer(pathAndQuery: string, init: RequestInit = {}, env = process.env, credential: Credential = 'ingest'): Promise<unknown> {
  const response = await fetchServer(pathAndQuery, init, env, credential);
  const body = (await response.json().catch(() => ({}))) as { message?: string };
  if (!response.ok) throw new Error(`${response.status}: ${body.message ?? response.statusText}`);
  return body;
}

/** One request to the server with the CLI's credential; ServerUnreachable when nothing answers. */
export async function fetchServer(pathAndQuery: string, init: RequestInit, env: NodeJS.ProcessEnv, credential: Credential): Promise<Response> {
  const { url, token } = serverConnection(env, credential);
  try {
    return await fetch(`${url}${pathAndQuery}`, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers } });
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new ServerUnreachable(`cannot reach Mimamori at ${url} (${cause}); is it running? (npm start, or set MIMAMORI_URL)`);
  }
}
