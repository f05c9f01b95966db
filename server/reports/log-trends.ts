import { round } from './arith.ts';

export interface LogCount {
  service: string;
  level: string;
  count: number;
}

export type LogTrend = {
  service: string;
  level: string;
  lines: number;
  previous_month: number;
  change: number;
  /** Against the month before; null when it had none. */
  change_percent: number | null;
};

const key = (r: { service: string; level: string }) => `${r.service}\n${r.level}`;

/** Every service and level of either month, with this month's lines against the month before (a service gone quiet has 0 lines). */
function compared(now: LogCount[], before: LogCount[]): LogTrend[] {
  const rows = new Map<string, LogTrend>();
  const row = (r: LogCount) => rows.get(key(r)) ?? { service: r.service, level: r.level, lines: 0, previous_month: 0, change: 0, change_percent: null };
  for (const r of now) rows.set(key(r), { ...row(r), lines: Number(r.count) });
  for (const r of before) rows.set(key(r), { ...row(r), previous_month: Number(r.count) });
  return [...rows.values()].map((r) => ({ ...r, change: r.lines - r.previous_month, change_percent: r.previous_month > 0 ? round(((r.lines - r.previous_month) / r.previous_month) * 100, 1) : null }));
}

/** This month's busiest services and levels (warning and error lines), with the month before beside them. */
export function topLogErrors(now: LogCount[], before: LogCount[], limit = 20): LogTrend[] {
  return compared(now, before)
    .filter((r) => r.lines > 0)
    .sort((a, b) => b.lines - a.lines || a.service.localeCompare(b.service) || a.level.localeCompare(b.level))
    .slice(0, limit);
}

/** The largest increases, then the largest decreases (down to services that fell silent), against the month before. */
export function logChanges(now: LogCount[], before: LogCount[], limit = 10): (LogTrend & { direction: 'up' | 'down' })[] {
  const all = compared(now, before);
  const order = (a: LogTrend, b: LogTrend) => a.service.localeCompare(b.service) || a.level.localeCompare(b.level);
  const up = all.filter((r) => r.change > 0).sort((a, b) => b.change - a.change || order(a, b)).slice(0, limit);
  const down = all.filter((r) => r.change < 0).sort((a, b) => a.change - b.change || order(a, b)).slice(0, limit);
  return [...up.map((r) => ({ direction: 'up' as const, ...r })), ...down.map((r) => ({ direction: 'down' as const, ...r }))];
}
