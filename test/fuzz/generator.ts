// Seeded generator of ingest batches for the differential fuzz test: valid
// records of every kind, then mutated the ways careless clients and
// attackers write JSON (odd strings, keys, numbers, times, types, bytes).
// Every row carries its id in one field that structured mutations leave alone.

export type Kind = 'logs' | 'metrics' | 'probes';

export interface Batch {
  kind: Kind;
  body: Buffer;
  contentType: string;
  gzip: boolean;
  /** What was done to it, for the failure report. */
  mutations: string[];
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof rng>;

export const ID_FIELD: Record<Kind, string> = { logs: 'service', metrics: 'host', probes: 'target' };

const ODD_STRINGS = [
  '\\ud800', '\\udfff', '\\udc00x', 'a\\ud83d\\ude00b', '\\ud83d', '\\u0000', '\\u001f', '\\t\\n\\r', '\\\\', '\\"', '\\/', '\\u00e9', 'é', '日本語のログ',
  '\u2028', '\u2029', '😀', '\\uFFFD', '\\uFEFF', ' ', '', 'x'.repeat(300), 'NULL', 'null', '\\u0041',
];
const NUMBER_SPELLINGS = (n: number) => [`${n}`, `${n}.0`, `${n}.000`, `${n / 1e3}e3`, `${n / 1e3}E+3`, `${n * 10}e-1`, `-0`, '1e308', '1e400', '-1e400', '1e-400', '9007199254740993', '0.1', '123456789012345678901234567890'];
const TIME_TEXT = (ms: number, r: Rng) => {
  const iso = new Date(ms).toISOString();
  const variants = [
    iso, iso.replace('T', 't'), iso.replace('Z', 'z'), iso.replace('T', ' '), iso.replace('.', ',').replace(',', '.'), iso.replace(/\.\d+Z/, 'Z'), iso.replace('Z', '123456Z'), iso.replace('Z', '1234567891234Z'),
    iso.replace('Z', '+09:00'), iso.replace('Z', '-0530'), iso.replace('Z', '+23:59'), iso.replace('Z', '+25:00'), iso.replace('Z', '+09:60'), iso.replace('Z', ''), iso.slice(0, 10), 'yesterday', '2026-02-30T00:00:00Z', '1999-12-31T23:59:59Z', '9999-01-01T00:00:00Z',
  ];
  return r.pick(variants);
};

function baseRecord(kind: Kind, id: string, now: number, r: Rng): Record<string, unknown> {
  const timestamp = r.chance(0.5) ? now - r.int(3_600_000) : new Date(now - r.int(3_600_000)).toISOString();
  const environment = r.pick(['production', 'staging', 'integration']);
  if (kind === 'logs') {
    const record: Record<string, unknown> = { timestamp, environment, service: id, message: `message ${r.int(1e6)}` };
    if (r.chance(0.5)) record.host = `web-${r.int(5)}`;
    if (r.chance(0.5)) record.level = r.pick(['error', 'WARN', 'info', 'debug', ' Error ', 'fatal', 'notice', 'custom']);
    if (r.chance(0.4)) record.attributes = { request_id: `r${r.int(1e4)}`, status: r.pick([200, 502, 1.5, true, 'x']) };
    return record;
  }
  if (kind === 'metrics') {
    const record: Record<string, unknown> = { timestamp, environment, host: id, name: r.pick(['cpu_utilisation_percent', 'load_average', 'fuzz:metric.x']), value: r.pick([0, 42.5, -1, 1e-9, 123456789.123]) };
    if (r.chance(0.5)) record.labels = { cpu: r.pick(['total', '0', '1']), mode: 'user' };
    return record;
  }
  const record: Record<string, unknown> = { timestamp, environment, target: id, ok: r.chance(0.8), total_ms: r.pick([0, 12.5, 5000.1, 86_400_000]) };
  if (r.chance(0.5)) record.status = r.pick([200, 500, 0, 999]);
  if (r.chance(0.3)) record.url = 'https://portal.example.jp/';
  if (r.chance(0.3)) record.error = r.pick(['', 'timeout', 'ECONNREFUSED']);
  if (r.chance(0.5)) record.ttfb_ms = r.pick([0, 1.25, 100]);
  return record;
}

/** A text field other than the id, as JSON text, to put odd strings in. */
const STRING_FIELDS: Record<Kind, string[]> = { logs: ['message', 'host', 'level'], metrics: ['name'], probes: ['url', 'error'] };
const NUMBER_FIELDS: Record<Kind, string[]> = { logs: ['timestamp'], metrics: ['value', 'timestamp'], probes: ['total_ms', 'status', 'ttfb_ms', 'timestamp'] };
const MAP_FIELD: Partial<Record<Kind, string>> = { logs: 'attributes', metrics: 'labels' };

/** Serialises a record with one structured mutation applied to the JSON text. */
function mutateLine(kind: Kind, record: Record<string, unknown>, r: Rng, notes: string[]): string {
  const entries = Object.entries(record).map(([k, v]) => [JSON.stringify(k), JSON.stringify(v)] as [string, string]);
  const set = (field: string, text: string) => {
    const at = entries.findIndex(([k]) => k === JSON.stringify(field));
    if (at >= 0) entries[at]![1] = text;
    else entries.push([JSON.stringify(field), text]);
  };
  const choice = r.int(12);
  if (choice === 0) {
    const field = r.pick(STRING_FIELDS[kind]);
    const odd = r.pick(ODD_STRINGS);
    set(field, `"${odd}${r.chance(0.5) ? ' tail' : ''}"`);
    notes.push(`${field}=odd string ${odd}`);
  } else if (choice === 1) {
    const field = r.pick(NUMBER_FIELDS[kind]);
    const base = field === 'timestamp' ? Date.now() - r.int(3_600_000) : field === 'status' ? 200 : 1000;
    const spelling = r.pick(NUMBER_SPELLINGS(base));
    set(field, spelling);
    notes.push(`${field}=${spelling}`);
  } else if (choice === 2) {
    const text = TIME_TEXT(Date.now() - r.int(3_600_000), r);
    set('timestamp', JSON.stringify(text));
    notes.push(`timestamp=${text}`);
  } else if (choice === 3) {
    const [key, value] = r.pick(entries.filter(([k]) => k !== JSON.stringify(ID_FIELD[kind])));
    entries.push([key, r.chance(0.5) ? value : '"other"']);
    notes.push(`duplicate key ${key}`);
  } else if (choice === 4) {
    const at = entries.findIndex(([k]) => k === '"timestamp"');
    entries[at]![0] = r.pick(['"time\\u0073tamp"', '"Timestamp"', '"timestamp "']);
    notes.push(`key spelled ${entries[at]![0]}`);
  } else if (choice === 5) {
    const field = r.pick([...STRING_FIELDS[kind], ...NUMBER_FIELDS[kind], 'ok', 'environment']);
    const value = r.pick(['{"x":[1]}', '[1,2]', 'null', 'true', '"true"', '{}', '""', '"production"']);
    set(field, value);
    notes.push(`${field}=${value}`);
  } else if (choice === 6 && MAP_FIELD[kind]) {
    const key = r.pick(['k'.repeat(129), 'k'.repeat(20_000), '', 'a.b', '\\ud800', '日本']);
    const value = r.pick(['"v"', '1e400', '12.50', 'true', 'null', '{"n":1}', `"${'v'.repeat(9000)}"`, '"\\udfff"']);
    set(MAP_FIELD[kind]!, `{"${key}":${value}}`);
    notes.push(`map ${key.slice(0, 20)}=${value.slice(0, 20)}`);
  } else if (choice === 7) {
    entries.push([`"${r.pick(['extra', 'level', 'zzz', 'Message'])}"`, '"1"']);
    notes.push('extra key');
  } else if (choice === 8) {
    const at = r.int(entries.length);
    if (entries[at]![0] !== JSON.stringify(ID_FIELD[kind])) {
      notes.push(`dropped ${entries[at]![0]}`);
      entries.splice(at, 1);
    }
  }
  const separator = r.chance(0.2) ? r.pick([', ', ' ,\t', ',\n'.replace('\n', ' ')]) : ',';
  const colon = r.chance(0.2) ? r.pick([': ', ' :', '\t:\t']) : ':';
  let text = `{${entries.map(([k, v]) => `${k}${colon}${v}`).join(separator)}}`;
  if (r.chance(0.05)) text = ` ${text}\t`;
  if (r.chance(0.05)) text += '\r';
  return text;
}

/** One batch: 1–8 rows of one kind, maybe mutated, as NDJSON or a JSON array, sometimes gzip. */
export function generateBatch(r: Rng, batchId: string, now: number): Batch {
  const kind = r.pick(['logs', 'metrics', 'probes'] as const);
  const rows = 1 + r.int(8);
  const notes: string[] = [];
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const record = baseRecord(kind, `${batchId}-${i}`, now, r);
    lines.push(r.chance(0.2) ? mutateLine(kind, record, r, notes) : JSON.stringify(record));
  }
  if (r.chance(0.05)) lines.splice(r.int(lines.length), 0, r.pick(['', '   ', '\t', '\u00a0', '\ufeff', '\u3000', '\u2028', 'garbage', '[]', '{}']));
  const array = r.chance(0.1);
  let text = array ? `[${lines.filter((l) => l.trim()).join(',')}]` : `${lines.join('\n')}${r.chance(0.8) ? '\n' : ''}`;
  if (r.chance(0.03)) text = `\ufeff${text}`;
  let body = Buffer.from(text);
  if (r.chance(0.05)) {
    // Raw bytes: invalid UTF-8 or a stray byte somewhere.
    const at = r.int(body.length);
    const bytes = Buffer.from([r.pick([0xff, 0xc3, 0xe2, 0x80, 0x00, 0x22, 0x5c, 0x0a])]);
    body = Buffer.concat([body.subarray(0, at), bytes, body.subarray(at)]);
    notes.push(`byte 0x${bytes[0]!.toString(16)} at ${at}`);
  }
  return { kind, body, contentType: array ? 'application/json' : r.pick(['application/x-ndjson', 'application/json', 'application/jsonl']), gzip: r.chance(0.05), mutations: notes };
}
