import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';

// Paths that may hold secrets never reach the logs (item 17).
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'headers.authorization', '*.password', '*.secret', '*.token'];

/**
 * Secrets inside text: a URL's query (a wall's ?token=…), credentials in a
 * URL, Mimamori's own token formats, a bearer value. Error messages from
 * libraries quote URLs, so an error's text is scrubbed before it is written.
 */
const SECRET_TEXT: [RegExp, string][] = [
  [/([?&](?:token|key|secret|password|api_key)=)[^&\s"']+/gi, '$1[redacted]'],
  [/(\/\/[^/\s:@"']+:)[^@\s/"']+@/g, '$1[redacted]@'],
  [/\bmim[pdi]_[A-Za-z0-9]{12}_[A-Za-z0-9_-]+/g, '[redacted token]'],
  [/(Bearer\s+)\S+/gi, '$1[redacted]'],
];
export const scrubSecrets = (text: string) => SECRET_TEXT.reduce((t, [re, to]) => t.replace(re, to), text);

function scrubError(error: Error): Record<string, unknown> {
  const out = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  for (const field of ['message', 'stack'] as const) if (typeof out[field] === 'string') out[field] = scrubSecrets(out[field] as string);
  return out;
}

/** Structured JSON logs to stdout and to <dataDir>/logs/mimamori.log (the default agent tails it). */
export function createLogger(dataDir: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  const dir = path.join(dataDir, 'logs');
  fs.mkdirSync(dir, { recursive: true });
  // Synchronous: Mimamori logs little (no request lines), and a fatal line must reach the file before exit.
  const file = pino.destination({ dest: path.join(dir, 'mimamori.log'), mkdir: true, sync: true });
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, serializers: { err: scrubError }, hooks: { logMethod(args, method) {
    // The message itself is text too.
    method.apply(this, args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a)) as Parameters<typeof method>);
  } }, base: { service: 'mimamori' } }, pino.multistream([{ level, stream: process.stdout }, { level, stream: file }] as pino.StreamEntry[]));
}
