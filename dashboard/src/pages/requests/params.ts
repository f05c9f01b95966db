import { zonedToEpoch } from '../../lib/zoned-time.ts';
import type { OperationInfo } from './types.ts';

/**
 * The parameters for `operation` from the form's values: only its own fields,
 * the empty ones left out for the server's defaults. A time is sent as RFC
 * 3339 (the input's wall-clock time read in `timezone`); a time the input
 * could not hold goes as typed, for the server to name the field.
 */
export function paramsOf(operation: OperationInfo | undefined, values: Record<string, string>, timezone: string): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const field of operation?.fields ?? []) {
    const value = values[field.name]?.trim() ?? '';
    if (value === '') continue;
    if (field.kind === 'time') {
      const ms = zonedToEpoch(value, timezone);
      params[field.name] = Number.isNaN(ms) ? value : new Date(ms).toISOString();
    } else if (field.kind === 'days') params[field.name] = Number(value);
    else params[field.name] = value;
  }
  return params;
}

/** The values with each required choice of `operation` set (to its first choice) unless it holds one already. */
export function withDefaults(operation: OperationInfo | undefined, values: Record<string, string>): Record<string, string> {
  const filled = { ...values };
  for (const field of operation?.fields ?? []) {
    const choices = field.choices ?? [];
    if (field.kind === 'choice' && field.required && !choices.includes(filled[field.name] ?? '')) filled[field.name] = choices[0] ?? '';
  }
  return filled;
}
