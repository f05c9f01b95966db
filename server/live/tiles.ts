import type { Alert, Rule } from '../rules/types.ts';
import { matches } from '../rules/kinds/common.ts';
import type { TargetTile, TileState } from './schemas.ts';

export const SLOW_MS = 5000;
export const DEFAULT_CPU_THRESHOLD_PERCENT = 80;

export const keyOf = (environment: string, name: string) => `${environment}\u0000${name}`;

export interface Reading {
  at: number;
  ms: number;
  ok: boolean;
  /** HTTP status (0 when none came back) and the probe's error text: what a down tile says instead of a time. */
  status: number;
  error: string;
}

/** Firing alerts per target key, so each tile looks its own up. */
export function firingByTarget(alerts: Alert[]): Map<string, Alert[]> {
  const out = new Map<string, Alert[]>();
  for (const a of alerts) {
    if (a.state !== 'firing' || !a.labels.environment || !a.labels.target) continue;
    const key = keyOf(a.labels.environment, a.labels.target);
    out.set(key, [...(out.get(key) ?? []), a]);
  }
  return out;
}

/**
 * Maintenance first (a failure there is expected), then stale (nothing to
 * judge by), then down, then slow.
 */
export function stateOf(last: Reading | undefined, alerts: Alert[], inMaintenance: boolean, now: number, staleMs: number): TileState {
  if (inMaintenance) return 'maintenance';
  if (!last || now - last.at > staleMs) return 'stale';
  if (!last.ok || alerts.some((a) => a.kind === 'availability')) return 'down';
  if (last.ms > SLOW_MS || alerts.some((a) => a.kind === 'response_time')) return 'slow';
  return 'ok';
}

/** The lowest threshold of the cpu rules whose match covers the host. */
export function cpuThreshold(rules: Rule[], environment: string, host: string): number {
  const covering = rules.filter((r) => r.kind === 'cpu' && matches(r.match, { environment, host }));
  return covering.length ? Math.min(...covering.map((r) => (r.params as { thresholdPercent: number }).thresholdPercent)) : DEFAULT_CPU_THRESHOLD_PERCENT;
}

export function countStates(targets: Pick<TargetTile, 'state'>[]): Record<TileState, number> {
  const counts: Record<TileState, number> = { ok: 0, slow: 0, down: 0, maintenance: 0, stale: 0 };
  for (const t of targets) counts[t.state]++;
  return counts;
}

/** Newest probe reading per target as ingest announces them, ahead of the writer's next load. */
export class RecentReadings {
  private readonly byTarget = new Map<string, Reading & { environment: string; target: string }>();

  add(records: readonly unknown[]): void {
    for (const r of records as Record<string, unknown>[]) {
      const at = timeOf(r.timestamp);
      const key = keyOf(String(r.environment), String(r.target));
      if (!Number.isFinite(at) || (this.byTarget.get(key)?.at ?? -Infinity) > at) continue;
      this.byTarget.set(key, { environment: String(r.environment), target: String(r.target), at, ms: Number(r.total_ms), ok: r.ok === true, status: Number(r.status ?? 0), error: String(r.error ?? '') });
    }
  }

  all(): (Reading & { environment: string; target: string })[] {
    return [...this.byTarget.values()];
  }
}

function timeOf(value: unknown): number {
  if (typeof value === 'number') return value;
  const text = String(value);
  return /^-?\d+$/.test(text) ? Number(text) : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}
