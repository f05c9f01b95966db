import { Compile } from 'typebox/compile';
import type { TSchema } from 'typebox';
import { RECORD_SCHEMAS } from './schemas.ts';
import { badRequest, tooLarge, type ErrorDetail } from '../http/errors.ts';
import type { TelemetryTable } from '../storage/writer.ts';

export interface ValidationContext {
  environments: ReadonlySet<string>;
  maxLineBytes: number;
  maxRows: number;
  now: number;
  /** Keep the parsed records for the event bus (probes, and metrics for the agents' threshold markers); logs skip it to spare the heap. */
  keepRecords: boolean;
  /** Rows older than the kind's retention would be dropped by the TTL at once: refuse them instead. */
  retentionDays: number;
}

export interface ValidBatch {
  /** NDJSON ready for the engine: the client's own bytes when they were NDJSON. */
  ndjson: Buffer;
  rows: number;
  /** The parsed rows, when the context asked to keep them. */
  records: unknown[];
}

const CHECKERS = Object.fromEntries(Object.entries(RECORD_SCHEMAS as Record<TelemetryTable, TSchema>).map(([k, s]) => [k, Compile(s)])) as Record<TelemetryTable, ReturnType<typeof Compile>>;
const MAX_DETAILS = 10;
const EARLIEST_MS = Date.UTC(2000, 0, 1);
const FUTURE_SLACK_MS = 86_400_000;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|z|([+-])(\d{2}):?(\d{2}))?$/;

/** Validates an NDJSON body line by line; any bad line rejects the whole batch. */
export function validateNdjson(kind: TelemetryTable, body: Buffer, ctx: ValidationContext): ValidBatch {
  const text = body.toString('utf8');
  const records: unknown[] = [];
  const details: ErrorDetail[] = [];
  let rows = 0;
  // Walk the lines in place (no split array), so each line is garbage as soon as it is checked.
  for (let start = 0, lineNo = 1; start < text.length; start = text.indexOf('\n', start) + 1 || text.length, lineNo++) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end === -1 ? text.length : end);
    if (line.length === 0 || (line.charCodeAt(0) <= 32 && /^\s*$/.test(line))) continue;
    if (rows >= ctx.maxRows) throw tooLarge(`more than ${ctx.maxRows} rows in one request`, [{ line: lineNo, reason: `row limit ${ctx.maxRows}`, limit: ctx.maxRows }]);
    if (line.length > ctx.maxLineBytes / 3 && Buffer.byteLength(line) > ctx.maxLineBytes) {
      throw tooLarge(`line ${lineNo} is longer than ${ctx.maxLineBytes} bytes`, [{ line: lineNo, reason: `line limit ${ctx.maxLineBytes} bytes`, limit: ctx.maxLineBytes }]);
    }
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      details.push({ line: lineNo, reason: `not valid JSON: ${(error as Error).message}` });
      if (details.length >= MAX_DETAILS) break;
      continue;
    }
    if (checkRecord(kind, record, lineNo, ctx, details)) {
      rows++;
      if (ctx.keepRecords) records.push(record);
    } else if (details.length >= MAX_DETAILS) break;
  }
  finish(details, rows);
  const ndjson = body.length > 0 && body[body.length - 1] !== 0x0a ? Buffer.concat([body, Buffer.from('\n')]) : body;
  return { ndjson, rows, records };
}

/** Validates a JSON array body (already parsed); rows are re-encoded as NDJSON. */
export function validateArray(kind: TelemetryTable, items: unknown[], ctx: ValidationContext): ValidBatch {
  if (items.length > ctx.maxRows) throw tooLarge(`more than ${ctx.maxRows} rows in one request`, [{ reason: `row limit ${ctx.maxRows}`, limit: ctx.maxRows }]);
  const details: ErrorDetail[] = [];
  const parts: string[] = [];
  for (let i = 0; i < items.length && details.length < MAX_DETAILS; i++) {
    const item = items[i];
    if (!checkRecord(kind, item, i + 1, ctx, details)) continue;
    const encoded = JSON.stringify(item);
    if (Buffer.byteLength(encoded) > ctx.maxLineBytes) throw tooLarge(`row ${i + 1} is longer than ${ctx.maxLineBytes} bytes`, [{ line: i + 1, reason: `line limit ${ctx.maxLineBytes} bytes`, limit: ctx.maxLineBytes }]);
    parts.push(encoded);
  }
  finish(details, parts.length);
  return { ndjson: Buffer.from(parts.length ? `${parts.join('\n')}\n` : ''), rows: parts.length, records: ctx.keepRecords ? items : [] };
}

function finish(details: ErrorDetail[], rows: number): void {
  if (details.length > 0) {
    const first = details[0]!;
    const where = `line ${first.line}${first.field ? `, field "${first.field}"` : ''}`;
    throw badRequest('invalid_records', `invalid record at ${where}: ${first.reason}; nothing from this request was stored`, details);
  }
  if (rows === 0) throw badRequest('empty_batch', 'the request holds no records', [{ reason: 'no rows' }]);
}

function checkRecord(kind: TelemetryTable, record: unknown, line: number, ctx: ValidationContext, details: ErrorDetail[]): boolean {
  const checker = CHECKERS[kind];
  if (!checker.Check(record)) {
    details.push(describe(checker, record, line));
    return false;
  }
  const { environment, timestamp } = record as { environment: string; timestamp: string | number };
  if (!ctx.environments.has(environment)) {
    details.push({ line, field: 'environment', reason: `unknown environment "${environment}" (configured: ${[...ctx.environments].join(', ')})` });
    return false;
  }
  const problem = timestampProblem(timestamp, ctx.now, ctx.retentionDays);
  if (problem) {
    details.push({ line, field: 'timestamp', reason: problem });
    return false;
  }
  return true;
}

function describe(checker: ReturnType<typeof Compile>, record: unknown, line: number): ErrorDetail {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return { line, reason: 'each record must be a JSON object' };
  const errors = [...checker.Errors(record)];
  const error = errors.find((e) => e.keyword === 'required') ?? errors.find((e) => e.keyword === 'additionalProperties') ?? errors[errors.length - 1]!;
  const params = error.params as { requiredProperties?: string[]; additionalProperties?: string[] };
  if (params.requiredProperties) return { line, field: params.requiredProperties[0], reason: 'required field is missing' };
  if (params.additionalProperties) return { line, field: params.additionalProperties[0], reason: 'unknown field' };
  const field = error.instancePath.slice(1).replaceAll('/', '.');
  const deepest = errors.filter((e) => e.instancePath === error.instancePath && e.keyword !== 'anyOf').map((e) => e.message);
  return { line, field, reason: [...new Set(deepest)].join(' or ') || error.message };
}

/** Why ClickHouse could not take this timestamp, or undefined when it can. */
export function timestampProblem(value: string | number, now: number, retentionDays = Infinity): string | undefined {
  let ms: number;
  if (typeof value === 'number') {
    ms = value;
  } else {
    const m = RFC3339.exec(value);
    if (!m) return `"${value}" is not an RFC 3339 time (e.g. 2026-11-26T09:00:00.123Z) or epoch milliseconds`;
    const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
    ms = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!, frac ? Math.floor(Number(frac) * 1000) : 0);
    const back = new Date(ms);
    if (back.getUTCMonth() !== +mo! - 1 || back.getUTCDate() !== +d! || +h! > 23 || +mi! > 59 || +s! > 59) return `"${value}" is not a real date and time`;
    if (sign) ms -= (sign === '+' ? 1 : -1) * (+oh! * 60 + +om!) * 60_000;
  }
  if (ms < EARLIEST_MS) return `${new Date(ms).toISOString()} is before 2000-01-01 (epoch seconds instead of milliseconds?)`;
  if (ms > now + FUTURE_SLACK_MS) return `${new Date(ms).toISOString()} is more than a day in the future`;
  if (ms < now - retentionDays * 86_400_000) return `${new Date(ms).toISOString()} is older than the retention of ${retentionDays} days`;
  return undefined;
}
