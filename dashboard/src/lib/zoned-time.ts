import { formatTime } from './format.ts';

// Date and time inputs carry no zone; the dashboard reads and fills them in
// the configured time zone (ui-config), as it shows every time.

/** The instant's wall-clock time in `timezone`, as epoch ms of that same wall-clock time in UTC. */
function wallClockAsUtc(ms: number, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(ms);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
}

/** A datetime-local value ("2026-11-26T20:30") read in `timezone`, as epoch ms; NaN when it is not one. */
export function zonedToEpoch(local: string, timezone: string): number {
  const asUtc = Date.parse(`${local}Z`);
  if (Number.isNaN(asUtc)) return NaN;
  // The zone's offset at the guessed instant, corrected once more for a change of offset (summer time) in between.
  const guess = asUtc - (wallClockAsUtc(asUtc, timezone) - asUtc);
  return asUtc - (wallClockAsUtc(guess, timezone) - guess);
}

/** An instant as a datetime-local value in `timezone`. */
export const epochToZoned = (ms: number, timezone: string): string => formatTime(ms, timezone, false).replace(' ', 'T');

/** The date of an instant in `timezone`, as a date input holds it (YYYY-MM-DD). */
export const dateIn = (at: number | string, timezone: string): string => formatTime(at, timezone, false).slice(0, 10);

/** Today's date in `timezone` (YYYY-MM-DD). */
export const todayIn = (timezone: string): string => dateIn(Date.now(), timezone);
