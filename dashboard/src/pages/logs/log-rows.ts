/** A log line as /api/v1/logs returns it. */
export interface LogRow {
  timestamp: string;
  environment: string;
  level: string;
  host: string;
  service: string;
  message: string;
  attributes: Record<string, string>;
}

/** The level filter's choices: '' is every level; the comma lists are "this level and worse". */
export const LEVEL_CHOICES = ['', 'error,fatal', 'warn,error,fatal', 'fatal', 'error', 'warn', 'info', 'debug'] as const;

export const RANGE_HOURS = [1, 6, 24, 168];

/** Attributes worth a glance in the row itself; all of them show when the row is opened. */
const FIRST = ['status', 'request_id', 'trace_id', 'method', 'path', 'duration_ms'];

export function glanceAttributes(attributes: Record<string, string>, max = 3): [string, string][] {
  const entries = Object.entries(attributes);
  const rank = (key: string) => (FIRST.includes(key) ? FIRST.indexOf(key) : FIRST.length);
  return entries.sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)).slice(0, max);
}
