import type { Static } from 'typebox';
import { parseDurationMs } from '../../lib/units.ts';
import type { MaintenanceSchema } from './config.ts';
import { DEFAULT_MESSAGE, type MaintenanceDefinition, type Weekday } from './types.ts';
import { parseZonedTime } from './zoned-time.ts';

type Fail = (path: (string | number)[], reason: string) => Error;
type RawEntry = Static<typeof MaintenanceSchema>[number];

const WEEKDAY_NUMBERS: Record<string, Weekday> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };
const DAY_MS = 86_400_000;

/**
 * Checks the `maintenance:` section and resolves its times. A one-off window
 * needs start and end; a recurring one every, at and duration (and days when
 * weekly). Errors name the field, e.g. maintenance.2.end.
 */
export function resolveMaintenance(
  raw: Static<typeof MaintenanceSchema> | undefined,
  timezone: string,
  environments: string[],
  fail: Fail,
): MaintenanceDefinition[] {
  const seen = new Set<string>();
  return (raw ?? []).map((entry, i) => {
    const at = (field: string | number, ...rest: (string | number)[]) => ['maintenance', i, field, ...rest];
    if (seen.has(entry.name)) throw fail(at('name'), `"${entry.name}" is used by an earlier window; names must be unique`);
    seen.add(entry.name);
    if (entry.name.includes('@')) throw fail(at('name'), 'must not contain "@" (it separates a name from an occurrence time)');
    (entry.environments ?? []).forEach((env, j) => {
      if (!environments.includes(env)) throw fail(at('environments', j), `"${env}" is not one of the environments (${environments.join(', ')})`);
    });
    const scope = {
      name: entry.name,
      environments: entry.environments ?? [],
      targets: entry.targets ?? [],
      message: { ja: entry.message?.ja ?? DEFAULT_MESSAGE.ja, en: entry.message?.en ?? DEFAULT_MESSAGE.en },
    };
    const oneOff = entry.start !== undefined || entry.end !== undefined;
    const recurring = entry.every !== undefined || entry.at !== undefined || entry.duration !== undefined || entry.days !== undefined;
    if (oneOff && recurring) {
      throw fail(at(entry.start !== undefined ? 'start' : 'end'), 'a window is either one-off (start, end) or recurring (every, at, duration), not both');
    }
    if (!oneOff && !recurring) throw fail(at('start'), 'required: start and end for a one-off window, or every, at and duration for a recurring one');
    return oneOff ? resolveOnce(entry, timezone, at, fail, scope) : resolveRecurring(entry, at, fail, scope);
  });
}

type At = (field: string | number, ...rest: (string | number)[]) => (string | number)[];
type Scope = Pick<MaintenanceDefinition, 'name' | 'environments' | 'targets' | 'message'>;

function resolveOnce(entry: RawEntry, timezone: string, at: At, fail: Fail, scope: Scope): MaintenanceDefinition {
  const time = (field: 'start' | 'end') => {
    const text = entry[field];
    if (text === undefined) throw fail(at(field), `required for a one-off window (ISO 8601, e.g. 2026-11-26T02:00; without an offset in ${timezone})`);
    const ms = parseZonedTime(text, timezone);
    if (ms === undefined) throw fail(at(field), `"${text}" is not an ISO 8601 date-time`);
    return ms;
  };
  const start = time('start');
  const end = time('end');
  if (end <= start) throw fail(at('end'), 'must be after start');
  return { ...scope, kind: 'once', start, end };
}

function resolveRecurring(entry: RawEntry, at: At, fail: Fail, scope: Scope): MaintenanceDefinition {
  if (!entry.every) throw fail(at('every'), 'required for a recurring window: daily or weekly');
  if (!entry.at) throw fail(at('at'), 'required for a recurring window: HH:MM in the configured time zone');
  if (!entry.duration) throw fail(at('duration'), 'required for a recurring window, e.g. 30m or 2h');
  if (entry.every === 'weekly' && !entry.days) throw fail(at('days'), 'required for a weekly window, e.g. [sun]');
  if (entry.every === 'daily' && entry.days) throw fail(at('days'), 'only for every: weekly');
  const durationMs = parseDurationMs(entry.duration);
  // Longer than the period would let a window overlap its own next occurrence.
  const periodMs = entry.every === 'daily' ? DAY_MS : 7 * DAY_MS;
  if (durationMs <= 0 || durationMs >= periodMs) throw fail(at('duration'), `must be more than 0 and less than ${entry.every === 'daily' ? '1 day' : '7 days'}`);
  const [hour, minute] = entry.at.split(':').map(Number) as [number, number];
  const days = entry.every === 'weekly' ? [...new Set(entry.days!.map((d) => WEEKDAY_NUMBERS[d]!))] : [];
  return { ...scope, kind: 'recurring', every: entry.every, days, hour, minute, durationMs };
}
