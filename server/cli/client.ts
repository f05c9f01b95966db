import fs from 'node:fs';
import path from 'node:path';
import { LOCAL_TOKEN_FILE } from '../ingest/tokens.ts';

/** Where the CLI finds the server, and the token it sends (MIMAMORI_TOKEN, else the local token file). */
export function serverConnection(env: NodeJS.ProcessEnv = process.env): { url: string; token: string | undefined } {
  const url = (env.MIMAMORI_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
  const tokenFile = path.join(path.resolve(env.MIMAMORI_DATA ?? './data'), LOCAL_TOKEN_FILE);
  const token = env.MIMAMORI_TOKEN ?? (fs.existsSync(tokenFile) ? fs.readFileSync(tokenFile, 'utf8').trim() : undefined);
  return { url, token };
}

/** No server answered at MIMAMORI_URL: a command may then open the data directory itself. */
export class ServerUnreachable extends Error {}

/** Calls the server and turns its `{ error, message }` answers into a readable failure. */
export async function callServer(pathAndQuery: string, init: RequestInit = {}, env = process.env): Promise<unknown> {
  const { url, token } = serverConnection(env);
  let response: Response;
  try {
    response = await fetch(`${url}${pathAndQuery}`, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers } });
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new ServerUnreachable(`cannot reach Mimamori at ${url} (${cause}); is it running? (npm start, or set MIMAMORI_URL)`);
  }
  const body = (await response.json().catch(() => ({}))) as { message?: string };
  if (!response.ok) throw new Error(`${response.status}: ${body.message ?? response.statusText}`);
  return body;
}
