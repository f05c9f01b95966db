import { badRequest } from '../http/errors.ts';
import { instantOf } from '../maintenance/zoned-time.ts';

/** A calendar month in the configured time zone: [from, to) in epoch ms. */
export interface Month {
  /** `YYYY-MM` */
  id: string;
  from: number;
  to: number;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** `2026-10` → the month's first instant and the next month's, on the wall clock of `timeZone` (a day starts at 00:00 there). */
export function monthOf(id: string, timeZone: string, field = 'month'): Month {
  const m = MONTH.exec(id);
  if (!m) throw badRequest('invalid_month', `${field} must be a month as YYYY-MM, e.g. 2026-10`, [{ field, reason: 'not YYYY-MM' }]);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const start = (y: number, mo: number) => instantOf({ year: y, month: mo, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 }, timeZone);
  return { id, from: start(year, month), to: month === 12 ? start(year + 1, 1) : start(year, month + 1) };
}

/** The month before, as `YYYY-MM`. */
export function previousMonthId(id: string): string {
  const [year, month] = id.split('-').map(Number) as [number, number];
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

/** `count` consecutive months starting at `first`, as `YYYY-MM`. */
export function monthIds(first: string, count: number): string[] {
  const [year, month] = first.split('-').map(Number) as [number, number];
  return Array.from({ length: count }, (_, i) => {
    const index = year * 12 + (month - 1) + i;
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
  });
}
