// Wall-clock times in an IANA time zone (Asia/Tokyo by default) to and from
// epoch milliseconds, with Intl only: no time-zone library is installed.

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    const two = '2-digit' as const;
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: two, day: two, hour: two, minute: two, second: two });
    formats.set(timeZone, format);
  }
  return format;
}

export function wallTimeOf(ms: number, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatFor(timeZone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second!, millisecond: ((ms % 1000) + 1000) % 1000 };
}

const asUtc = (w: WallTime) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);
const offsetAt = (ms: number, timeZone: string) => asUtc(wallTimeOf(ms, timeZone)) - ms;

/** The instant a wall clock in `timeZone` shows `wall`; in a DST gap, the later side. */
export function instantOf(wall: WallTime, timeZone: string): number {
  const guess = asUtc(wall);
  const first = guess - offsetAt(guess, timeZone);
  const second = guess - offsetAt(first, timeZone);
  return Math.max(first, second);
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/;
const WITH_OFFSET = /(?:[zZ]|[+-]\d{2}:?\d{2})$/;

/** ISO 8601 text to epoch ms; without an offset the time is read in `timeZone`. Undefined when not a valid time. */
export function parseZonedTime(text: string, timeZone: string): number | undefined {
  const value = text.trim();
  if (WITH_OFFSET.test(value)) {
    if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(value)) return undefined;
    const ms = Date.parse(value.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    return Number.isFinite(ms) ? ms : undefined;
  }
  const m = LOCAL.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((v) => Number(v ?? 0)) as number[];
  const wall: WallTime = { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: second!, millisecond: Number((m[7] ?? '0').padEnd(3, '0')) };
  // Date.UTC rolls 02-30 over to 03-02; a real date survives the round trip.
  const check = new Date(asUtc(wall));
  if (check.getUTCMonth() + 1 !== wall.month || check.getUTCDate() !== wall.day || wall.hour > 23 || wall.minute > 59 || wall.second > 59) return undefined;
  return instantOf(wall, timeZone);
}
