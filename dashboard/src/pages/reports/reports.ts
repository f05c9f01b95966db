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
  plan_text: ShownText;
}

export interface CapacityPreview {
  environment: string;
  hosts: {
    host: string;
    threshold_percent: number;
    latest_p95_percent: number;
    proposal_needed: boolean;
    proposal: ShownText | null;
    trend_90_days: { kind: 'crosses' | 'not_rising' | 'over' | 'not_enough_data'; crosses_at: string | null; earliest: string | null; latest: string | null };
  }[];
}

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
