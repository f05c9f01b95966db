import { timestampProblem } from '../../lib/timestamps.ts';
import { LIMITS } from './schemas.ts';

// The judge's fast lane for log lines. Parsing every line with JSON.parse,
// checking it against the schema and comparing JSON.stringify's spelling
// with the client's bytes costs ~3 µs a line, most of the server's CPU under
// ingest. Most agents write exactly that spelling, so this reads the bytes
// once and answers "certainly accepted as they are" for the plain shape:
// no whitespace, only the known fields once each, strings whose escapes are
// the ones JSON.stringify writes, integers of at most 15 digits, scalar
// attributes. Anything else (and any doubt) returns false, and the line
// takes the full path, which decides and explains. So this lane can only
// accept what the full judge accepts byte for byte (test: plain-log-line.test.ts).

export interface PlainLineContext {
  environments: ReadonlySet<string>;
  now: number;
  retentionDays: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

// The schema's LIMITS (schemas.ts) are in UTF-16 units; they are counted here
// in bytes, which are never fewer, so a string within them in bytes is within
// them in units.

const FIELD = { timestamp: 1, environment: 2, host: 4, service: 8, level: 16, message: 32, attributes: 64 } as const;
const REQUIRED = FIELD.timestamp | FIELD.environment | FIELD.message;
const FIELD_NAMES = Object.entries(FIELD).map(([name, bit]) => ({ bytes: Buffer.from(name), bit }));

// What the last scan found; module state rather than a result object, so
// the lane allocates nothing per line.
let scanEnd = 0;
let scanBytes = 0;
let scanValue = 0;
let scanEscaped = false;

/** A string at `i` (its opening quote) with only JSON.stringify's own escapes; sets scanEnd past its closing quote, scanBytes to its decoded length in bytes and scanEscaped. */
function scanString(b: Buffer, i: number, end: number): boolean {
  let bytes = 0;
  scanEscaped = false;
  for (let j = i + 1; j < end; j++) {
    const c = b[j]!;
    if (c === QUOTE) {
      scanEnd = j + 1;
      scanBytes = bytes;
      return true;
    }
    if (c === BACKSLASH) {
      const d = b[j + 1];
      // \" \\ \b \f \n \r \t; \u and \/ are spellings JSON.stringify would change or that need decoding.
      if (d !== QUOTE && d !== BACKSLASH && d !== 0x62 && d !== 0x66 && d !== 0x6e && d !== 0x72 && d !== 0x74) return false;
      j++;
      scanEscaped = true;
    } else if (c < 0x20) {
      return false; // a raw control character: not JSON
    }
    bytes++;
  }
  return false;
}

/** An integer at `i` spelled as JavaScript prints it (no leading zero, no -0, at most 15 digits: exact in a double); sets scanEnd and scanValue. */
function scanInteger(b: Buffer, i: number, end: number): boolean {
  let j = i;
  const negative = b[j] === MINUS;
  if (negative) j++;
  const first = j;
  let value = 0;
  while (j < end && b[j]! >= ZERO && b[j]! <= NINE && j - first < 16) value = value * 10 + (b[j++]! - ZERO);
  const digits = j - first;
  if (digits === 0 || digits > 15 || (digits > 1 && b[first] === ZERO) || (negative && value === 0)) return false;
  scanEnd = j;
  scanValue = negative ? -value : value;
  return true;
}

/** Byte-wise equality in JavaScript: for a few bytes it is cheaper than a call into Buffer.compare. */
function sameBytes(b: Buffer, start: number, length: number, other: Uint8Array, otherStart: number): boolean {
  for (let k = 0; k < length; k++) if (b[start + k] !== other[otherStart + k]) return false;
  return true;
}

function fieldAt(b: Buffer, start: number, length: number): number {
  for (const { bytes, bit } of FIELD_NAMES) {
    if (bytes.length === length && bytes[0] === b[start] && sameBytes(b, start, length, bytes, 0)) return bit;
  }
  return 0;
}

/** The configured environments as bytes, kept per set (the judge's set lives as long as the config). */
const environmentBytes = new WeakMap<ReadonlySet<string>, Buffer[]>();

function isEnvironment(b: Buffer, start: number, end: number, environments: ReadonlySet<string>): boolean {
  let names = environmentBytes.get(environments);
  if (!names) environmentBytes.set(environments, (names = [...environments].map((name) => Buffer.from(name))));
  const length = end - start;
  for (const name of names) if (name.length === length && sameBytes(b, start, length, name, 0)) return true;
  return false;
}

const mapKeyStarts = new Int32Array(LIMITS.mapEntries);
const mapKeyEnds = new Int32Array(LIMITS.mapEntries);

/** `attributes`: string keys (not index-like: JavaScript would reorder those), unique, with scalar values. */
function scanAttributes(b: Buffer, i: number, end: number): boolean {
  if (b[i] !== OPEN) return false;
  let j = i + 1;
  if (b[j] === CLOSE) {
    scanEnd = j + 1;
    return true;
  }
  for (let n = 0; ; n++) {
    if (n === LIMITS.mapEntries || b[j] !== QUOTE || !scanString(b, j, end) || scanBytes > LIMITS.mapKey) return false;
    const keyStart = j + 1;
    const keyEnd = scanEnd - 1;
    let indexLike = keyEnd > keyStart;
    for (let k = keyStart; k < keyEnd && indexLike; k++) indexLike = b[k]! >= ZERO && b[k]! <= NINE;
    if (indexLike) return false;
    for (let m = 0; m < n; m++) {
      const length = mapKeyEnds[m]! - mapKeyStarts[m]!;
      if (length === keyEnd - keyStart && sameBytes(b, keyStart, length, b, mapKeyStarts[m]!)) return false; // duplicate
    }
    mapKeyStarts[n] = keyStart;
    mapKeyEnds[n] = keyEnd;
    j = scanEnd;
    if (b[j] !== COLON) return false;
    j++;
    const c = b[j];
    if (c === QUOTE) {
      if (!scanString(b, j, end) || scanBytes > LIMITS.mapValue) return false;
    } else if (c === 0x74 /* t */ && b.toString('latin1', j, j + 4) === 'true') {
      scanEnd = j + 4;
    } else if (c === 0x66 /* f */ && b.toString('latin1', j, j + 5) === 'false') {
      scanEnd = j + 5;
    } else if (!scanInteger(b, j, end)) {
      return false;
    }
    j = scanEnd;
    if (b[j] === CLOSE) {
      scanEnd = j + 1;
      return true;
    }
    if (b[j] !== COMMA) return false;
    j++;
  }
}

/** The field's value at `i`; false when it is not certainly valid as written. */
function scanField(bit: number, b: Buffer, i: number, end: number, ctx: PlainLineContext): boolean {
  switch (bit) {
    case FIELD.timestamp: {
      if (b[i] === QUOTE) {
        if (!scanString(b, i, end) || scanBytes < LIMITS.timeText.min || scanBytes > LIMITS.timeText.max) return false;
        const text = b.toString('latin1', i + 1, scanEnd - 1);
        // Lower-case t and z are accepted but rewritten (canonical.ts); escapes or other bytes are the full path's to judge.
        if (text.length !== scanBytes || /[^0-9TZ:.+-]/.test(text)) return false;
        return timestampProblem(text, ctx.now, ctx.retentionDays) === undefined;
      }
      return scanInteger(b, i, end) && timestampProblem(scanValue, ctx.now, ctx.retentionDays) === undefined;
    }
    case FIELD.environment:
      // Compared as bytes with the configured names, so only when written without escapes.
      if (b[i] !== QUOTE || !scanString(b, i, end) || scanEscaped || scanBytes < 1 || scanBytes > LIMITS.environment) return false;
      return isEnvironment(b, i + 1, scanEnd - 1, ctx.environments);
    case FIELD.host:
    case FIELD.service:
      return b[i] === QUOTE && scanString(b, i, end) && scanBytes <= LIMITS.name;
    case FIELD.level:
      return b[i] === QUOTE && scanString(b, i, end) && scanBytes <= LIMITS.level;
    case FIELD.message:
      return b[i] === QUOTE && scanString(b, i, end);
    default:
      return scanAttributes(b, i, end);
  }
}

/**
 * True when the log line `b[start, end)` (valid UTF-8, no newline) is
 * certainly accepted by the full judge and would reach the engine as it is;
 * false means "ask the full judge", not "refused".
 */
export function isPlainLogLine(b: Buffer, start: number, end: number, ctx: PlainLineContext): boolean {
  if (b[start] !== OPEN || b[end - 1] !== CLOSE) return false;
  let seen = 0;
  let i = start + 1;
  for (;;) {
    if (b[i] !== QUOTE || !scanString(b, i, end)) return false;
    const bit = fieldAt(b, i + 1, scanEnd - i - 2);
    if (bit === 0 || seen & bit) return false; // unknown or repeated field
    seen |= bit;
    i = scanEnd;
    if (b[i] !== COLON || !scanField(bit, b, i + 1, end, ctx)) return false;
    i = scanEnd;
    if (b[i] === CLOSE) return i === end - 1 && (seen & REQUIRED) === REQUIRED;
    if (b[i] !== COMMA) return false;
    i++;
  }
}
