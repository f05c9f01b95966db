import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';

// Paths that may hold secrets never reach the logs (item 17).
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'headers.authorization', '*.password', '*.secret', '*.token'];

/** Structured JSON logs to stdout and to <dataDir>/logs/mimamori.log (the default agent tails it). */
export function createLogger(dataDir: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  const dir = path.join(dataDir, 'logs');
  fs.mkdirSync(dir, { recursive: true });
  // Synchronous: Mimamori logs little (no request lines), and a fatal line must reach the file before exit.
  const file = pino.destination({ dest: path.join(dir, 'mimamori.log'), mkdir: true, sync: true });
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'mimamori' } }, pino.multistream([{ level, stream: process.stdout }, { level, stream: file }] as pino.StreamEntry[]));
}
