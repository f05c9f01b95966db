import type { Storage } from '../storage/client.ts';
import { sql, ts, typed, type Sql } from '../storage/sql.ts';

export interface PatternFilter {
  environment: string;
  service?: string;
  level?: string;
  from: number;
  to: number;
}

export interface PatternRow {
  id: string;
  template: string;
  service: string;
  level: string;
  count: number;
  first_seen: string;
  last_seen: string;
  examples: string[];
  series: number[];
  new: boolean;
  surge_factor: number | null;
}

const SERIES_POINTS = 30;
/** The baseline a surge is measured against: the rate over this long before the range. */
const BASELINE_MS = 24 * 3_600_000;

/** Every pattern id with its template, first sighting and the id it was generalised into: small (thousands), read whole. */
export async function patternCatalogue(storage: Storage, environment: string) {
  const rows = await storage.query<{ id: string; service: string; template: string; first_seen: number; replaced_by: string }>(sql`
    SELECT id, argMax(service, recorded_at) AS service, argMax(template, recorded_at) AS template, toUnixTimestamp64Milli(min(first_seen)) AS first_seen, argMax(replaced_by, recorded_at) AS replaced_by
    FROM log_patterns WHERE environment = ${environment} GROUP BY id`);
  const byId = new Map(rows.map((r) => [r.id, { ...r, first_seen: Number(r.first_seen) }]));
  // An id Drain generalised points to its successor; follow the chain (bounded, in case of a loop).
  const resolve = (id: string) => {
    let current = id;
    for (let hops = 0; hops < 64; hops++) {
      const next = byId.get(current)?.replaced_by;
      if (!next) return current;
      current = next;
    }
    return current;
  };
  // A generalised template is as old as the oldest template it grew from.
  for (const [id, row] of byId) {
    const target = byId.get(resolve(id));
    if (target && row.first_seen < target.first_seen) target.first_seen = row.first_seen;
  }
  return { byId, resolve };
}

export type Catalogue = Awaited<ReturnType<typeof patternCatalogue>>;

export interface PatternCount {
  environment: string;
  service: string;
  /** The current id: counts under an id Drain generalised since are merged into its successor's. */
  pattern: string;
  template: string;
  first_seen: number;
  /** Lines from `from` (its minute) up to `to`. */
  count: number;
  /** Lines in the `baselineMs` before it. */
  before: number;
}

/**
 * Lines per pattern of the given levels in a window and in the baseline
 * before it, by environment and service, in one read of the counts and one
 * catalogue per environment (or the one given, for a single environment).
 * Only patterns with lines in the window are returned. The rules and the
 * known incidents' evidence both read them.
 */
export async function patternCounts(storage: Storage, f: { levels: string[]; from: number; to?: number; baselineMs?: number; environment?: string; catalogue?: Catalogue }): Promise<PatternCount[]> {
  const start = Math.floor(f.from / 60_000) * 60_000;
  const rows = await storage.query<{ environment: string; service: string; pattern: string; lines: number; before: number }>(sql`
    SELECT environment, service, pattern, sumIf(count, time >= ${ts(start)}) AS lines, sumIf(count, time < ${ts(start)}) AS before
    FROM log_pattern_counts
    WHERE time >= ${ts(Math.floor((f.from - (f.baselineMs ?? 0)) / 60_000) * 60_000)} AND level IN ${f.levels}
      ${f.environment === undefined ? sql`` : sql`AND environment = ${f.environment}`} ${f.to === undefined ? sql`` : sql`AND time <= ${ts(f.to)}`}
    GROUP BY environment, service, pattern`);
  const environments = [...new Set(rows.map((r) => r.environment))];
  const catalogues = new Map(await Promise.all(environments.map(async (e) => [e, f.catalogue && e === f.environment ? f.catalogue : await patternCatalogue(storage, e)] as const)));
  const merged = new Map<string, PatternCount>();
  for (const r of rows) {
    const catalogue = catalogues.get(r.environment)!;
    const id = catalogue.resolve(r.pattern);
    const k = `${r.environment}\u0000${r.service}\u0000${id}`;
    const entry = merged.get(k) ?? { environment: r.environment, service: r.service, pattern: id, template: catalogue.byId.get(id)?.template ?? '', first_seen: catalogue.byId.get(id)?.first_seen ?? 0, count: 0, before: 0 };
    entry.count += Number(r.lines);
    entry.before += Number(r.before);
    merged.set(k, entry);
  }
  return [...merged.values()].filter((e) => e.count > 0);
}

/**
 * Patterns over a range, largest count first: their template, counts, first
 * and last minute, a few example lines, a sparkline of SERIES_POINTS
 * buckets, whether the pattern was first seen in the range, and its surge
 * factor (its rate in the range over its rate in the 24 hours before; null
 * when it had none then).
 */
export async function topPatterns(storage: Storage, f: PatternFilter, limit: number): Promise<PatternRow[]> {
  const { byId, resolve } = await patternCatalogue(storage, f.environment);
  const bucketMs = Math.max(60_000, Math.ceil((f.to - f.from) / SERIES_POINTS / 60_000) * 60_000);
  const rows = await storage.query<{ service: string; level: string; pattern: string; lines: number; first: number; last: number; examples: string[]; buckets: [number, number][]; before: number }>(sql`
    SELECT service, level, pattern,
      sumIf(count, time >= ${ts(f.from)}) AS lines,
      toUnixTimestamp(minIf(time, time >= ${ts(f.from)})) * 1000 AS first, toUnixTimestamp(maxIf(time, time >= ${ts(f.from)})) * 1000 AS last,
      groupUniqArrayIf(3)(example, time >= ${ts(f.from)}) AS examples,
      groupArrayIf((intDiv(toUnixTimestamp(time) * 1000 - ${typed(f.from, 'Int64')}, ${typed(bucketMs, 'Int64')}), count), time >= ${ts(f.from)}) AS buckets,
      sumIf(count, time < ${ts(f.from)}) AS before
    FROM log_pattern_counts
    WHERE ${sqlWhere(f, f.from - BASELINE_MS, f.to)}
    GROUP BY service, level, pattern
    HAVING lines > 0`);
  // Counts written under an id that was later generalised belong to its successor.
  const merged = new Map<string, PatternRow & { before: number }>();
  const points = Math.ceil((f.to - f.from) / bucketMs);
  for (const r of rows) {
    const id = resolve(r.pattern);
    const k = `${r.service}\u0000${r.level}\u0000${id}`;
    const entry = merged.get(k) ?? { id, template: byId.get(id)?.template ?? '', service: r.service, level: r.level, count: 0, first_seen: '', last_seen: '', examples: [], series: new Array<number>(points).fill(0), new: false, surge_factor: null, before: 0 };
    entry.count += Number(r.lines);
    entry.before += Number(r.before);
    const first = new Date(Number(r.first)).toISOString();
    const last = new Date(Number(r.last)).toISOString();
    if (!entry.first_seen || first < entry.first_seen) entry.first_seen = first;
    if (last > entry.last_seen) entry.last_seen = last;
    for (const e of r.examples) if (entry.examples.length < 3 && !entry.examples.includes(e)) entry.examples.push(e);
    for (const [bucket, n] of r.buckets) if (bucket >= 0 && bucket < points) entry.series[bucket]! += Number(n);
    merged.set(k, entry);
  }
  const minutes = (f.to - f.from) / 60_000;
  const baselineMinutes = BASELINE_MS / 60_000;
  return [...merged.values()]
    .map(({ before, ...p }) => ({
      ...p,
      new: (byId.get(p.id)?.first_seen ?? 0) >= f.from,
      surge_factor: before > 0 ? Math.round((p.count / minutes / (before / baselineMinutes)) * 10) / 10 : null,
    }))
    .sort((a, b) => b.count - a.count || a.id.localeCompare(b.id))
    .slice(0, limit);
}

function sqlWhere(f: PatternFilter, from: number, to: number): Sql {
  const parts = [sql`environment = ${f.environment}`, sql`time >= ${ts(Math.floor(from / 60_000) * 60_000)}`, sql`time < ${ts(to)}`];
  if (f.service) parts.push(sql`service = ${f.service}`);
  if (f.level) parts.push(sql`level = ${f.level}`);
  return parts.reduce((a, b) => sql`${a} AND ${b}`);
}

/** A template as an RE2 expression over the raw line: literal tokens as they are, each placeholder as any text, tokens apart by whitespace. */
export function templateRegex(template: string): string {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // A placeholder may stand alone (<NUM>) or inside a token (user=<NUM>, ?id=<*>).
  const parts = template.split(/\s+/).filter(Boolean).map((token) => token.split(/<[A-Z*]+>/).map(escape).join('.+?'));
  return `^\\s*${parts.join('\\s+')}\\s*$`;
}
