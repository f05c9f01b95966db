import type { MaintenanceDefinition, MaintenanceWindow, Weekday } from './types.ts';
import { instantOf, wallTimeOf } from './zoned-time.ts';

const DAY_MS = 86_400_000;

/** The windows a config definition yields that overlap [from, to), computed in `timeZone`. */
export function definitionOccurrences(definition: MaintenanceDefinition, from: number, to: number, timeZone: string): MaintenanceWindow[] {
  const base = { name: definition.name, environments: definition.environments, targets: definition.targets, message: definition.message, source: 'config' as const, createdBy: 'config', createdAt: 0 };
  if (definition.kind === 'once') {
    return definition.start < to && definition.end > from ? [{ ...base, id: definition.name, start: definition.start, end: definition.end }] : [];
  }
  const windows: MaintenanceWindow[] = [];
  // Walk calendar dates as UTC midnights (no zone arithmetic), starting early
  // enough to catch a window that began before `from` and is still running.
  const first = wallTimeOf(from - definition.durationMs - DAY_MS, timeZone);
  const last = wallTimeOf(to + DAY_MS, timeZone);
  const lastDate = Date.UTC(last.year, last.month - 1, last.day);
  for (let date = Date.UTC(first.year, first.month - 1, first.day); date <= lastDate; date += DAY_MS) {
    const day = new Date(date);
    const weekday = (((day.getUTCDay() + 6) % 7) + 1) as Weekday;
    if (definition.every === 'weekly' && !definition.days.includes(weekday)) continue;
    const start = instantOf(
      { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate(), hour: definition.hour, minute: definition.minute, second: 0, millisecond: 0 },
      timeZone,
    );
    const end = start + definition.durationMs;
    if (start < to && end > from) windows.push({ ...base, id: `${definition.name}@${new Date(start).toISOString()}`, start, end });
  }
  return windows;
}
