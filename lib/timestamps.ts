// Timestamp rules shared by the ingest door and the agent's log parser:
// which times a record may carry, so the agent never spools what the server
// would refuse.
//
// Accepted: RFC 3339 text ("2026-11-26T09:00:00.123+09:00"; a space for the
// T, no offset meaning UTC, lower-case t and z, any number of fraction
// digits: all normalised, stored to the millisecond, the rest cut off), or
// integer epoch milliseconds. Refused: anything before 2000-01-01, more than
// a day ahead, older than the kind's retention, offsets beyond ±23:59.

const EARLIEST_MS = Date.UTC(2000, 0, 1);
const FUTURE_SLACK_MS = 86_400_000;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):?(\d{2}))?$/;

/** Epoch milliseconds of an RFC 3339 text or epoch-ms number, or why it cannot be one. */
export function parseTimestamp(value: string | number): number | string {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? value : `${value} is out of range for epoch milliseconds`;
  }
  const m = RFC3339.exec(value);
  if (!m) return `"${value}" is not an RFC 3339 time (e.g. 2026-11-26T09:00:00.123Z) or epoch milliseconds`;
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  let ms = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!, frac ? Number(frac.slice(1, 4).padEnd(3, '0')) : 0);
  const back = new Date(ms);
  if (back.getUTCMonth() !== +mo! - 1 || back.getUTCDate() !== +d! || +h! > 23 || +mi! > 59 || +s! > 59) return `"${value}" is not a real date and time`;
  if (sign) {
    if (+oh! > 23 || +om! > 59) return `"${value}" has an offset beyond ±23:59`;
    ms -= (sign === '+' ? 1 : -1) * (+oh! * 60 + +om!) * 60_000;
  }
  return ms;
}

/** Why the store could not take this timestamp, or undefined when it can. */
export function timestampProblem(value: string | number, now: number, retentionDays = Infinity): string | undefined {
  const ms = parseTimestamp(value);
  if (typeof ms === 'string') return ms;
  if (ms < EARLIEST_MS) return ms < -8.64e15 ? `${value} is out of range` : `${new Date(ms).toISOString()} is before 2000-01-01 (epoch seconds instead of milliseconds?)`;
  if (ms > now + FUTURE_SLACK_MS) return ms > 8.64e15 ? `${value} is out of range` : `${new Date(ms).toISOString()} is more than a day in the future`;
  if (ms < now - retentionDays * 86_400_000) return `${new Date(ms).toISOString()} is older than the retention of ${retentionDays} days`;
  return undefined;
}
