// The canonical form of a record: the bytes the engine is given for a row
// the validator accepted. JavaScript's JSON.parse and ClickHouse's
// JSONEachRow reader disagree at the edges (duplicate keys, unpaired
// surrogate escapes, number spellings such as 1796026002361.0, lowercase
// RFC 3339 letters, invalid UTF-8), so a line reaches the engine as its
// client wrote it only when it already is what JSON.stringify would write;
// any other accepted line is rewritten, and duplicate keys are refused.

/** RFC 3339 as the engine reads it: upper-case T and Z; the validator also accepts t and z. */
const LOWER_CASE_LETTERS = /[tz]/;

/** True when the client's line can go to the engine byte for byte. */
export function isCanonicalLine(line: string, record: Record<string, unknown>): boolean {
  if (line.includes('\\u') && /\\u[dD][89a-fA-F]/.test(line)) return false; // surrogate escapes: pairs are fine, lone ones are not
  const timestamp = record.timestamp;
  if (typeof timestamp === 'string' && LOWER_CASE_LETTERS.test(timestamp)) return false;
  return JSON.stringify(record) === line;
}

/** The record as the engine must see it: well-formed strings (U+FFFD for unpaired surrogates), upper-case time letters, JSON.stringify's spelling. */
export function canonicalLine(record: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    out[key.toWellFormed()] = canonicalValue(key === 'timestamp' && typeof value === 'string' ? value.toUpperCase() : value);
  }
  return JSON.stringify(out);
}

function canonicalValue(value: unknown): unknown {
  if (typeof value === 'string') return value.toWellFormed();
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(canonicalValue);
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key.toWellFormed()] = canonicalValue(inner);
  return out;
}

export interface DuplicateKey {
  key: string;
  /** Index of the top-level array element holding it (0 for a single object). */
  item: number;
}

/**
 * The first key that appears twice in one object of a JSON text that
 * JSON.parse has already accepted (JSON.parse silently keeps the last; the
 * engine refuses the row). Escaped spellings of the same key count as the same.
 */
export function findDuplicateKey(text: string): DuplicateKey | undefined {
  const objects: Set<string>[] = [];
  const inObject: boolean[] = []; // per open bracket: object (true) or array (false)
  let expectKey = false;
  let item = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let end = i + 1;
      let escaped = false;
      while (end < text.length) {
        const d = text.charCodeAt(end);
        if (d === 0x5c /* \ */) {
          escaped = true;
          end += 2;
          continue;
        }
        if (d === 0x22) break;
        end++;
      }
      if (expectKey) {
        const key = escaped ? (JSON.parse(text.slice(i, end + 1)) as string) : text.slice(i + 1, end);
        const seen = objects[objects.length - 1]!;
        if (seen.has(key)) return { key, item };
        seen.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === 0x7b /* { */) {
      objects.push(new Set());
      inObject.push(true);
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      inObject.push(false);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (inObject.pop()) objects.pop();
      expectKey = false;
      if (inObject.length === 1 && !inObject[0]) item++; // an element of the top-level array ended
    } else if (c === 0x2c /* , */) {
      expectKey = inObject[inObject.length - 1] === true;
    }
  }
  return undefined;
}
