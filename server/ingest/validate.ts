import { isUtf8 } from 'node:buffer';
import { Compile } from 'typebox/compile';
import type { TSchema } from 'typebox';
import { RECORD_SCHEMAS } from './schemas.ts';
import { badRequest, tooLarge, type ErrorDetail } from '../http/errors.ts';
import type { TelemetryTable } from '../storage/writer.ts';
import { timestampProblem } from '../../lib/timestamps.ts';
import { canonicalLine, findDuplicateKey, isCanonicalLine } from './canonical.ts';
import { isPlainLogLine } from './plain-log-line.ts';

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
/** A line of JSON whitespace only (space, tab, CR); other Unicode spaces are not JSON whitespace and make the line invalid. */
const JSON_BLANK = /^[ \t\r]+$/;
const MAX_KEY_LENGTH = 128;

/**
 * Validates an NDJSON body line by line; any bad line rejects the whole
 * batch. Lines already in canonical form go to the engine as the client's
 * own bytes; from the first one that is not, the batch is rewritten.
 */
export function validateNdjson(kind: TelemetryTable, body: Buffer, ctx: ValidationContext): ValidBatch {
  const records: unknown[] = [];
  const details: ErrorDetail[] = [];
  // Canonical lines once a rewrite began; invalid UTF-8 (U+FFFD once decoded) rewrites from the first line.
  let rewritten: string[] | undefined = isUtf8(body) ? undefined : [];
  const rewriteFrom = (start: number) => (rewritten ??= start > 1 ? [body.toString('utf8', 0, start - 1)] : []);
  let rows = 0;
  // Records kept for the event bus need parsing anyway: the lane is for logs, which keep none.
  const plainLane = kind === 'logs' && !ctx.keepRecords;
  // Walk the bytes and decode one line at a time: a string of the whole body
  // (megabytes) would go straight to V8's old generation and stay until a full
  // collection, which is most of what ingest grew the heap by. A newline byte
  // never occurs inside a UTF-8 sequence, so lines split the same either way.
  for (let start = 0, lineNo = 1; start < body.length; lineNo++) {
    const newline = body.indexOf(0x0a, start);
    const end = newline === -1 ? body.length : newline;
    const lineStart = start;
    start = end + 1;
    if (end === lineStart) continue;
    // A line opening with { is not blank; only the others are decoded before the limits.
    const opensObject = body[lineStart] === 0x7b;
    let line = opensObject ? undefined : body.toString('utf8', lineStart, end);
    if (line !== undefined && JSON_BLANK.test(line)) {
      rewriteFrom(lineStart); // blank but not empty: dropped, not left to the engine's idea of whitespace
      continue;
    }
    if (rows >= ctx.maxRows) throw tooLarge(`more than ${ctx.maxRows} rows in one request`, [{ line: lineNo, reason: `row limit ${ctx.maxRows}`, limit: ctx.maxRows }]);
    if (end - lineStart > ctx.maxLineBytes) {
      throw tooLarge(`line ${lineNo} is longer than ${ctx.maxLineBytes} bytes`, [{ line: lineNo, reason: `line limit ${ctx.maxLineBytes} bytes`, limit: ctx.maxLineBytes }]);
    }
    // Log lines in the plain shape pass as they are without being parsed (plain-log-line.ts);
    // once a rewrite began (or the body is not UTF-8) every line takes the full path.
    if (plainLane && opensObject && !rewritten && isPlainLogLine(body, lineStart, end, ctx)) {
      rows++;
      continue;
    }
    line ??= body.toString('utf8', lineStart, end);
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      details.push({ line: lineNo, reason: `not valid JSON: ${(error as Error).message}` });
      if (details.length >= MAX_DETAILS) break;
      continue;
    }
    if (!checkRecord(kind, record, lineNo, ctx, details)) {
      if (details.length >= MAX_DETAILS) break;
      continue;
    }
    if (rewritten || !isCanonicalLine(line, record as Record<string, unknown>)) {
      const duplicate = findDuplicateKey(line);
      if (duplicate) {
        details.push({ line: lineNo, field: duplicate.key, reason: 'the key appears twice in the record' });
        if (details.length >= MAX_DETAILS) break;
        continue;
      }
      rewriteFrom(lineStart).push(canonicalLine(record as Record<string, unknown>));
    }
    rows++;
    if (ctx.keepRecords) records.push(record);
  }
  finish(details, rows);
  if (rewritten) return { ndjson: Buffer.from(`${rewritten.join('\n')}\n`), rows, records };
  const ndjson = body.length > 0 && body[body.length - 1] !== 0x0a ? Buffer.concat([body, Buffer.from('\n')]) : body;
  return { ndjson, rows, records };
}

/** Validates a JSON array body (already parsed from `text`); rows are re-encoded as canonical NDJSON. */
export function validateArray(kind: TelemetryTable, items: unknown[], text: string, ctx: ValidationContext): ValidBatch {
  if (items.length > ctx.maxRows) throw tooLarge(`more than ${ctx.maxRows} rows in one request`, [{ reason: `row limit ${ctx.maxRows}`, limit: ctx.maxRows }]);
  const details: ErrorDetail[] = [];
  const duplicate = findDuplicateKey(text);
  if (duplicate) details.push({ line: duplicate.item + 1, field: duplicate.key, reason: 'the key appears twice in the record' });
  const parts: string[] = [];
  for (let i = 0; i < items.length && details.length < MAX_DETAILS; i++) {
    const item = items[i];
    if (!checkRecord(kind, item, i + 1, ctx, details)) continue;
    const encoded = canonicalLine(item as Record<string, unknown>);
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
  // The schema's key length for maps (TypeBox checks the values, not the keys).
  const map = (record as { attributes?: object; labels?: object }).attributes ?? (record as { labels?: object }).labels;
  if (map) {
    for (const key of Object.keys(map)) {
      if (key.length > MAX_KEY_LENGTH) {
        details.push({ line, field: `${kind === 'logs' ? 'attributes' : 'labels'}.${key.slice(0, 32)}…`, reason: `a key is longer than ${MAX_KEY_LENGTH} characters` });
        return false;
      }
    }
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
