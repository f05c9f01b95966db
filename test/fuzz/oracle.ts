// What the store must hold for a batch that ingest accepted, computed apart
// from the server's judge (its own parse, time rules and level map), and the
// rows the engine actually holds, read back as bytes (hex), so text the
// engine stored as invalid UTF-8 cannot hide behind JSON decoding.
import type { Storage } from '../../server/storage/client.ts';
import { raw, sql } from '../../server/storage/sql.ts';
import { ID_FIELD, type Kind } from './generator.ts';

export type Row = Record<string, unknown>;

const hex = (text: string) => Buffer.from(text.toWellFormed(), 'utf8').toString('hex').toUpperCase();
const TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):?(\d{2}))?$/;

function expectedMs(value: unknown): number {
  if (typeof value === 'number') return value;
  const m = TIME.exec(String(value))!;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) + (m[7] ? +m[7].slice(1, 4).padEnd(3, '0') : 0);
  return m[9] ? ms - (m[9] === '+' ? 1 : -1) * (+m[10]! * 60 + +m[11]!) * 60_000 : ms;
}

/** The ingest view's level map; like the engine's trimBoth and lower, it trims spaces and lower-cases ASCII only. */
function level(value: unknown): string {
  const l = String(value ?? '').replace(/^ +| +$/g, '').replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (['err', 'error', 'severe'].includes(l)) return 'error';
  if (['warn', 'warning'].includes(l)) return 'warn';
  if (['fatal', 'crit', 'critical', 'emerg', 'emergency', 'alert', 'panic'].includes(l)) return 'fatal';
  if (['', 'info', 'information', 'informational', 'notice'].includes(l)) return 'info';
  return l;
}

const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? JSON.stringify(v) : String(v));
const map = (m: unknown) =>
  Object.entries((m ?? {}) as Record<string, unknown>)
    .map(([k, v]) => [hex(k), hex(text(v))])
    .sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0));
const nullable = (v: unknown) => (v === undefined || v === null ? null : Number(v));

/** The rows an accepted body must produce, keyed by the id field. */
export function expectedRows(kind: Kind, body: Buffer, contentType: string): Row[] {
  const decoded = new TextDecoder('utf-8', { ignoreBOM: true }).decode(body);
  const trimmed = decoded.replace(/^[ \t\r\n]+/, '');
  const records = (contentType === 'application/json' && trimmed.startsWith('[') ? JSON.parse(decoded) : decoded.split('\n').filter((l) => !/^[ \t\r]*$/.test(l)).map((l) => JSON.parse(l))) as Row[];
  return records.map((r) => {
    const common = { id: hex(String(r[ID_FIELD[kind]] ?? '')), timestamp: expectedMs(r.timestamp), environment: r.environment };
    if (kind === 'logs') return { ...common, host: hex(String(r.host ?? '')), level: hex(level(r.level)), message: hex(String(r.message)), attributes: map(r.attributes) };
    if (kind === 'metrics') return { ...common, name: hex(String(r.name)), labels: map(r.labels), value: Number(r.value) };
    return { ...common, url: hex(String(r.url ?? '')), ok: r.ok, status: Number(r.status ?? 0), error: hex(String(r.error ?? '')), ttfb_ms: nullable(r.ttfb_ms), total_ms: Number(r.total_ms) };
  });
}

const MAP_SQL = (column: string) => `arraySort(x -> x.1, arrayMap((k, v) -> (hex(k), hex(v)), mapKeys(${column}), mapValues(${column})))`;
const READ: Record<Kind, string> = {
  logs: `SELECT hex(service) AS id, toUnixTimestamp64Milli(timestamp) AS timestamp, environment, hex(host) AS host, hex(level) AS level, hex(message) AS message, ${MAP_SQL('attributes')} AS attributes FROM logs`,
  metrics: `SELECT hex(host) AS id, toUnixTimestamp64Milli(timestamp) AS timestamp, environment, hex(name) AS name, ${MAP_SQL('labels')} AS labels, value FROM metrics`,
  probes: `SELECT hex(target) AS id, toUnixTimestamp64Milli(timestamp) AS timestamp, environment, hex(url) AS url, ok, status, hex(error) AS error, ttfb_ms, total_ms FROM probes`,
};

/** Every row the engine holds for the kind, in the same shape as expectedRows. */
export async function storedRows(storage: Storage, kind: Kind): Promise<Row[]> {
  const rows = await storage.query<Row>(sql`${raw(READ[kind])}`);
  return rows.map((r) => ({ ...r, timestamp: Number(r.timestamp), ...(kind === 'probes' ? { ok: r.ok === true || r.ok === 1 } : {}) }));
}

/** Differences between the two multisets of rows, described for a failure report. */
export function compareRows(expected: Row[], stored: Row[]): string[] {
  const key = (r: Row) => JSON.stringify(r);
  const counts = new Map<string, number>();
  for (const r of expected) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
  const unexpected: string[] = [];
  for (const r of stored) {
    const k = key(r);
    const n = counts.get(k) ?? 0;
    if (n === 0) unexpected.push(`stored but not expected: ${k.slice(0, 400)}`);
    else counts.set(k, n - 1);
  }
  const missing = [...counts].filter(([, n]) => n > 0).map(([k, n]) => `expected ${n}× but not stored: ${k.slice(0, 400)}`);
  return [...missing, ...unexpected];
}
