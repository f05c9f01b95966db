import { badRequest } from '../http/errors.ts';
import { parseTimeParam } from '../shared/time-range.ts';
import type { OperationField } from './operations.ts';

// The parameters the data operations share: a time range, an environment,
// short texts. Each is checked once here, with the field named in the 400.

export interface RowFilter {
  from: number;
  to: number;
  environment?: string;
}

/** A text parameter, or undefined when absent or empty. */
export function text(params: Record<string, unknown>, field: string, max = 200): string | undefined {
  const value = params[field];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > max) throw badRequest('invalid_request', `${field}: must be text of at most ${max} characters`, [{ field, reason: 'not text' }]);
  return value;
}

/** One of `choices`; required. */
export function choice<T extends string>(params: Record<string, unknown>, field: string, choices: readonly T[]): T {
  const value = params[field];
  if (!choices.includes(value as T)) throw badRequest('invalid_request', `${field}: one of ${choices.join(', ')}`, [{ field, reason: 'unknown' }]);
  return value as T;
}

/**
 * The range is fixed when the request is made, so the approver approves
 * exactly what will leave: `to` defaults to the moment of asking, `from` to a
 * day before `to`.
 */
export function rowFilter(params: Record<string, unknown>, now: number): RowFilter {
  const to = parseTimeParam(text(params, 'to'), 'to', Math.ceil(now / 1000) * 1000); // a whole second reads better to the approver
  const from = parseTimeParam(text(params, 'from'), 'from', to - 86_400_000);
  if (from >= to) throw badRequest('invalid_time', '"from" must be before "to"', [{ field: 'from', reason: 'not before to' }]);
  return { from, to, environment: text(params, 'environment', 32) };
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
export const range = (f: RowFilter) => ({
  ja: `${iso(f.from)} 〜 ${iso(f.to)}${f.environment ? `、環境 ${f.environment}` : ''}`,
  en: `${iso(f.from)} – ${iso(f.to)}${f.environment ? `, ${f.environment}` : ''}`,
});

export const RANGE_FIELDS: OperationField[] = [
  { name: 'from', kind: 'time', required: false, label: { ja: '開始', en: 'From' }, empty: { ja: '終了の 1 日前', en: 'a day before "to"' } },
  { name: 'to', kind: 'time', required: false, label: { ja: '終了', en: 'To' }, empty: { ja: '申請した時刻', en: 'the moment of asking' } },
];
export const ENVIRONMENT_FIELD: OperationField = { name: 'environment', kind: 'text', required: false, label: { ja: '環境', en: 'Environment' }, empty: { ja: 'すべて', en: 'all' } };
