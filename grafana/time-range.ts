// The range and interval Grafana would query a panel with, for the tests:
// a subset of Grafana's date math (now, now-<n><unit>, an optional /<unit>
// rounding: down for `from`, to the unit's last millisecond for `to`) in a
// zone of fixed offset, such as Asia/Tokyo (no daylight saving).
import type { SqlPanel } from './boards/kit.ts';

const MINUTE = 60_000;
const FIXED: Record<string, number> = { s: 1000, m: MINUTE, h: 60 * MINUTE, d: 1440 * MINUTE, w: 7 * 1440 * MINUTE };

/** `n` of a calendar unit (M, y) or a fixed one added to a zone-wall time (epoch ms shifted by the offset). */
function add(wall: number, n: number, unit: string): number {
  if (unit in FIXED) return wall + n * FIXED[unit]!;
  const d = new Date(wall);
  if (unit === 'M') d.setUTCMonth(d.getUTCMonth() + n);
  else if (unit === 'y') d.setUTCFullYear(d.getUTCFullYear() + n);
  else throw new Error(`unit ${unit} not supported`);
  return d.getTime();
}

function startOf(wall: number, unit: string): number {
  const d = new Date(wall);
  if (unit === 'y') d.setUTCMonth(0, 1);
  else if (unit === 'M') d.setUTCDate(1);
  else if (unit !== 'd') throw new Error(`rounding to ${unit} not supported`);
  d.setUTCHours(0, 0, 0, 0);
  return d.getTime();
}

export function resolveTime(expr: string, now: number, offsetMs: number, roundUp: boolean): number {
  const m = /^now(?:-(\d+)([smhdwMy]))?(?:\/([dMy]))?$/.exec(expr);
  if (!m) throw new Error(`time ${expr} not supported`);
  let wall = now + offsetMs;
  if (m[1]) wall = add(wall, -Number(m[1]), m[2]!);
  if (m[3]) wall = roundUp ? add(startOf(wall, m[3]), 1, m[3]) - 1 : startOf(wall, m[3]);
  return wall - offsetMs;
}

export interface Range {
  from: number;
  to: number;
}

export function resolveRange(time: { from: string; to: string }, now: number, offsetMs: number): Range {
  return { from: resolveTime(time.from, now, offsetMs, false), to: resolveTime(time.to, now, offsetMs, true) };
}

/** A panel's `timeFrom` ('90d') replaces the dashboard's range with now-90d to now. */
export function panelRange(panel: SqlPanel, dashboard: Range, now: number, offsetMs: number): Range {
  if (!panel.timeFrom) return dashboard;
  return resolveRange({ from: `now-${panel.timeFrom}`, to: 'now' }, now, offsetMs);
}

/**
 * Grafana divides the range by the panel's data points (about its width in
 * pixels; 1000 here) and rounds to a tidy step, never below the panel's min
 * interval. The tidy rounding is left out: the interval only sets bucket widths.
 */
export function intervalFor(panel: SqlPanel, range: Range): number {
  const min = /^(\d+)([smhdw])$/.exec(panel.interval ?? '');
  return Math.max(min ? Number(min[1]) * FIXED[min[2]!]! : 0, Math.ceil((range.to - range.from) / 1000));
}
