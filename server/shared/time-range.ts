import { badRequest } from '../http/errors.ts';

/** 2262-04-11, the end of ClickHouse's DateTime64(3) range as we use it. */
export const MAX_TIME_MS = 9_200_000_000_000;

/** Parses a query-string time: epoch milliseconds or an RFC 3339 / ISO 8601 date-time. */
export function parseTimeParam(value: string | undefined, field: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const ms = /^-?\d+$/.test(value) ? Number(value) : Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`);
  if (!Number.isFinite(ms) || ms < 0 || ms >= MAX_TIME_MS) throw badRequest('invalid_time', `${field}: "${value}" is not epoch milliseconds or an RFC 3339 time`, [{ field, reason: 'not a time' }]);
  return ms;
}

export interface TimeRange {
  from: number;
  to: number;
}

/** from/to with defaults (the last `defaultSpanMs` up to now), refusing an inverted range. */
export function parseTimeRange(query: { from?: string; to?: string }, now: number, defaultSpanMs: number): TimeRange {
  const to = parseTimeParam(query.to, 'to', now);
  const from = parseTimeParam(query.from, 'from', to - defaultSpanMs);
  if (from >= to) throw badRequest('invalid_time', '"from" must be before "to"', [{ field: 'from', reason: 'not before to' }]);
  return { from, to };
}

/** Refuses a step that would cut the range into more than `maxPoints` points (a chart never needs that many). */
export function checkStep(range: TimeRange, stepSeconds: number, maxPoints: number): void {
  if ((range.to - range.from) / (stepSeconds * 1000) > maxPoints) {
    throw badRequest('too_many_points', `the range holds more than ${maxPoints} steps of ${stepSeconds} s; choose a larger step`, [{ field: 'step', reason: 'too small for the range' }]);
  }
}
