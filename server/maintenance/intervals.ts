const MINUTE_MS = 60_000;

/**
 * Clips intervals to [from, to), widens them to whole minutes (the rollup's
 * grain: a minute touched by maintenance is left out whole) and merges overlaps.
 */
export function mergeMinuteIntervals(intervals: [number, number][], from: number, to: number): [number, number][] {
  const sorted = intervals
    .map(([s, e]): [number, number] => [Math.max(Math.floor(s / MINUTE_MS) * MINUTE_MS, from), Math.min(Math.ceil(e / MINUTE_MS) * MINUTE_MS, to)])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = merged.at(-1);
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

export const totalMinutes = (intervals: [number, number][]) => intervals.reduce((sum, [s, e]) => sum + (e - s), 0) / MINUTE_MS;
