import type { EvalContext, Labels, Observation, Rule, Selector } from '../types.ts';
import type { ProbeReading } from '../fresh-probes.ts';
import { sql, ts } from '../../storage/sql.ts';

/** Does a series' label set fall under the rule's `match`? Absent keys match everything. */
export function matches(selector: Selector, labels: Labels): boolean {
  for (const [key, allowed] of Object.entries(selector) as [keyof Selector, string[] | undefined][]) {
    if (allowed && !allowed.includes(labels[key] ?? '')) return false;
  }
  return true;
}

/**
 * Every rule of a batch read from one shared query: for each rule, one
 * observation per row whose labels the rule's `match` admits.
 */
export function observeRows<P, R>(rules: Rule<P>[], rows: R[], labelsOf: (row: R) => Labels, observe: (rule: Rule<P>, row: R) => Omit<Observation, 'labels'>): Map<Rule<P>, Observation[]> {
  const labelled = rows.map((row) => ({ row, labels: labelsOf(row) }));
  return new Map(rules.map((rule) => [rule, labelled.filter((l) => matches(rule.match, l.labels)).map(({ row, labels }) => ({ labels, ...observe(rule, row) }))]));
}

const LATEST_LOOKBACK_MS = 86_400_000;
const MARKER_LOOKBACK_MS = 120_000;

/**
 * The newest `n` probe readings of every target (newest first): stored rows
 * merged with readings ingest has acknowledged but ClickHouse may not hold
 * yet, and with "still waiting" markers not yet followed by their probe.
 */
export async function latestProbes(ctx: EvalContext, n: number): Promise<Map<string, ProbeReading[]>> {
  const rows = await ctx.storage.query<{ environment: string; target: string; at: number; ok: number | boolean; total_ms: number }>(sql`
    SELECT environment, target, toUnixTimestamp64Milli(timestamp) AS at, ok, total_ms
    FROM probes WHERE timestamp > ${ts(ctx.now - LATEST_LOOKBACK_MS)}
    ORDER BY environment, target, timestamp DESC
    LIMIT ${n} BY environment, target`);
  // Markers stored by earlier runs of this process, so a restart does not forget a probe still waiting.
  const markers = await ctx.storage.query<{ environment: string; target: string; at: number; value: number }>(sql`
    SELECT environment, labels['target'] AS target, toUnixTimestamp64Milli(timestamp) AS at, value
    FROM metrics WHERE name = 'probe_threshold_crossed' AND timestamp > ${ts(ctx.now - MARKER_LOOKBACK_MS)}`);
  const byTarget = new Map<string, ProbeReading[]>();
  const keyOf = (env: string, target: string) => `${env}\u0000${target}`;
  for (const r of rows) {
    const key = keyOf(r.environment, r.target);
    const list = byTarget.get(key) ?? [];
    list.push({ at: Number(r.at), environment: r.environment, target: r.target, ok: r.ok === true || r.ok === 1, totalMs: r.total_ms });
    byTarget.set(key, list);
  }
  const stored = markers.map((m): ProbeReading => ({ at: Number(m.at) - m.value, environment: m.environment, target: m.target, ok: true, totalMs: m.value, provisional: true }));
  for (const fresh of [...ctx.fresh.all(), ...stored.map((m) => [m])]) {
    if (fresh.length === 0) continue;
    const key = keyOf(fresh[0]!.environment, fresh[0]!.target);
    const list = byTarget.get(key) ?? [];
    const seen = new Set(list.map((r) => r.at));
    for (const reading of fresh) if (!seen.has(reading.at)) list.push(reading);
    // A marker is superseded once its own probe (same start) or a later one is known.
    const newestReal = Math.max(...list.filter((r) => !r.provisional).map((r) => r.at), -Infinity);
    const merged = list.filter((r) => !r.provisional || r.at > newestReal + 1000).sort((a, b) => b.at - a.at);
    byTarget.set(key, merged.slice(0, n));
  }
  return byTarget;
}

export const probeLabels = (r: { environment: string; target: string }): Labels => ({ environment: r.environment, target: r.target });
export const minutes = (ms: number) => (ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`);
