import { epochToZoned } from '../../lib/zoned-time.ts';

/** What the preview shows of a monthly report (the API answers the whole report). */
export interface MonthlyPreview {
  month: string;
  complete: boolean;
  targets: { target: string; availability_percent: number | null; availability_excluding_maintenance_percent: number | null; p95_ms: number | null; within_target_percent: number | null; slo_met: boolean; error_budget_remaining_percent: number | null }[];
  incidents: { opened: number; mtta_minutes: number | null; mttr_minutes: number | null };
}

export type TextKind = 'capacity_proposal' | 'improvement_plan';

/** An operator's text as a report shows it (server/reports/proposals.ts): saved, or drafted from the figures (`id` null). */
export interface ShownText {
  id: string | null;
  version: number | null;
  status: 'drafted' | 'draft' | 'proposed' | 'issued';
  text_ja: string;
  text_en: string;
  by: string | null;
  at: string | null;
}

export interface AnnualPreview {
  environment: string;
  from: string;
  to: string;
  months: {
    month: string;
    targets: number;
    targets_meeting_slo: number;
    lowest_availability_percent: number | null;
    incidents_opened: number;
    mtta_minutes: number | null;
    mttr_minutes: number | null;
    open_at_month_end: number;
    hosts_over_threshold: number;
    error_lines: number;
  }[];
  plan_text: ShownText;
}

/** A forecast of the capacity review (server/reports/capacity.ts): the Theil–Sen line (x in days from the review's first day) and the crossing. */
export interface Forecast {
  kind: 'crosses' | 'not_rising' | 'over' | 'not_enough_data';
  slope_per_day: number | null;
  intercept_percent: number | null;
  crosses_at: string | null;
  earliest: string | null;
  latest: string | null;
}

export interface HostPreview {
  host: string;
  threshold_percent: number;
  latest_p95_percent: number;
  proposal_needed: boolean;
  proposal: ShownText | null;
  trend_30_days: Forecast;
  trend_90_days: Forecast;
  daily: { start: string; p95_percent: number }[];
}

export interface CapacityPreview {
  environment: string;
  from: string;
  to: string;
  horizon_days: number;
  hosts: HostPreview[];
}

export type ReportKind = 'monthly' | 'annual' | 'capacity';
/** The raw rows behind a report's sections that a four-eyes export.telemetry request may ask for. */
export type RawKind = 'probes' | 'cpu' | 'logs';
export const RAW_KINDS: Record<ReportKind, RawKind[]> = { monthly: ['probes', 'cpu', 'logs'], annual: ['probes', 'cpu', 'logs'], capacity: ['cpu'] };

/**
 * The fields of the export.telemetry request for the rows behind a report,
 * as the requests page's form takes them: the period on the wall clock of
 * `timeZone`, the environment, and for the capacity review its 90 days
 * (the review covers every host of the environment, so it names none: a
 * list would filter nothing and meet the request's 100-host limit).
 */
export function rawRowsFields(kind: ReportKind, rows: RawKind, period: { month: string; from: string; capacity?: CapacityPreview }, environment: string, timeZone: string): Record<string, string> {
  if (kind === 'capacity') {
    const review = period.capacity;
    if (!review) return { operation: 'export.telemetry', kind: rows, environment };
    const wall = (iso: string) => epochToZoned(Date.parse(iso), timeZone);
    return { operation: 'export.telemetry', kind: rows, from: wall(review.from), to: wall(review.to), environment };
  }
  const [first, end] = kind === 'monthly' ? [period.month, monthsBefore(period.month, -1)] : [period.from, monthsBefore(period.from, -12)];
  return { operation: 'export.telemetry', kind: rows, from: `${first}-01T00:00`, to: `${end}-01T00:00`, environment };
}

/** A forecast line's value on day `x` of the review (x = 0 its first day), or null without a line. */
export const trendAt = (f: Forecast, x: number): number | null => (f.slope_per_day === null || f.intercept_percent === null ? null : f.intercept_percent + f.slope_per_day * x);

/** The month before the one `now` falls in, on the wall clock of `timeZone`, as YYYY-MM. */
export function lastMonth(now: number, timeZone: string): string {
  return monthsBefore(epochToZoned(now, timeZone).slice(0, 7), 1);
}

/** `id` moved back `n` months. */
export function monthsBefore(id: string, n: number): string {
  const [year, month] = id.split('-').map(Number) as [number, number];
  const index = year * 12 + (month - 1) - n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}
