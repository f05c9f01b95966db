import { parseTimestamp, timestampProblem } from '../../lib/timestamps.ts';

// Turns one log event (a line, or a line with its continuation lines) into
// the fields of a log record. Formats: JSON lines, nginx/Apache combined
// access logs, and plain text with the level found in the words.

export type LogFormat = 'auto' | 'json' | 'plain' | 'combined';

export interface ParsedEvent {
  timestamp: string | number;
  level: string;
  message: string;
  attributes: Record<string, string>;
}

export const MAX_MESSAGE_CHARS = 32 * 1024;
const COMBINED = /^(\S+) \S+ (\S+) \[([^\]]+)\] "(\S+) (\S+)(?: [^"]*)?" (\d{3}) (\d+|-)(?: "([^"]*)" "([^"]*)")?(?: (\d+(?:\.\d+)?))?/;
const PLAIN_LEVEL = /\b(FATAL|PANIC|CRIT(?:ICAL)?|ERROR|ERR|SEVERE|WARN(?:ING)?|INFO|NOTICE|DEBUG|TRACE)\b/i;
const LEADING_TIME = /^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?)\]?/;
const PINO_LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const MONTHS: Record<string, string> = { Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06', Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12' };

export function parseEvent(text: string, format: LogFormat, now: number): ParsedEvent {
  const chosen = format === 'auto' ? (text.startsWith('{') ? 'json' : COMBINED.test(text) ? 'combined' : 'plain') : format;
  const event = chosen === 'json' ? parseJson(text) ?? parsePlain(text) : chosen === 'combined' ? parseCombined(text) ?? parsePlain(text) : parsePlain(text);
  const time = usableTime(event.timestamp, now);
  if (time === undefined && event.timestamp !== undefined) event.attributes.original_time = String(event.timestamp);
  return { level: event.level, attributes: event.attributes, timestamp: time ?? now, message: truncate(event.message) };
}

function truncate(message: string): string {
  if (message.length <= MAX_MESSAGE_CHARS) return message;
  return `${message.slice(0, MAX_MESSAGE_CHARS)}…[truncated ${message.length - MAX_MESSAGE_CHARS} characters]`;
}

/** The event's own time when ingest will take it, else undefined (the read time is used). */
function usableTime(value: unknown, now: number): string | number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    const ms = value < 1e11 ? Math.round(value * 1000) : Math.round(value); // seconds or milliseconds
    return timestampProblem(ms, now) ? undefined : ms;
  }
  if (typeof value !== 'string') return undefined;
  // Sent as epoch milliseconds: one spelling, whatever the file wrote.
  const ms = parseTimestamp(value.replace(',', '.'));
  return typeof ms === 'number' && !timestampProblem(ms, now) ? ms : undefined;
}

type Draft = Omit<ParsedEvent, 'timestamp'> & { timestamp?: unknown };

function parseJson(text: string): Draft | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { time, timestamp, ts, '@timestamp': at, level, severity, lvl, msg, message, ...rest } = value as Record<string, unknown>;
  const rawLevel = level ?? severity ?? lvl;
  const attributes: Record<string, string> = {};
  for (const [key, v] of Object.entries(rest).slice(0, 64)) attributes[key] = typeof v === 'string' ? v : JSON.stringify(v);
  return {
    timestamp: timestamp ?? time ?? at ?? ts,
    level: typeof rawLevel === 'number' ? PINO_LEVELS[rawLevel] ?? String(rawLevel) : typeof rawLevel === 'string' ? rawLevel.slice(0, 16) : 'info',
    message: typeof (msg ?? message) === 'string' ? ((msg ?? message) as string) : text,
    attributes,
  };
}

function parseCombined(text: string): Draft | undefined {
  const m = COMBINED.exec(text);
  if (!m) return undefined;
  const [, remote, user, time, method, path, status, bytes, referer, agent, requestTime] = m;
  const code = Number(status);
  const attributes: Record<string, string> = { remote_addr: remote!, method: method!, path: path!, status: status!, bytes: bytes === '-' ? '0' : bytes! };
  if (user !== '-') attributes.user = user!;
  if (referer && referer !== '-') attributes.referer = referer;
  if (agent) attributes.user_agent = agent;
  // nginx's $request_time is seconds with a fraction, Apache's %D microseconds.
  if (requestTime) attributes.request_time_ms = String(requestTime.includes('.') ? Math.round(Number(requestTime) * 1000) : Math.round(Number(requestTime) / 1000));
  return { timestamp: combinedTime(time!), level: code >= 500 ? 'error' : code >= 400 ? 'warn' : 'info', message: text, attributes };
}

/** 26/Nov/2026:09:00:00 +0900 → 2026-11-26T09:00:00+09:00 */
function combinedTime(text: string): string | undefined {
  const m = /^(\d{2})\/(\w{3})\/(\d{4}):(\d{2}:\d{2}:\d{2}) ([+-]\d{2})(\d{2})$/.exec(text);
  return m && MONTHS[m[2]!] ? `${m[3]}-${MONTHS[m[2]!]}-${m[1]}T${m[4]}${m[5]}:${m[6]}` : undefined;
}

function parsePlain(text: string): Draft {
  const level = PLAIN_LEVEL.exec(text.slice(0, 200))?.[1]?.toLowerCase() ?? 'info';
  return { timestamp: LEADING_TIME.exec(text)?.[1], level, message: text, attributes: {} };
}
