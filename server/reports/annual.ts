import type { Ticket } from '../ledger/model.ts';
import { badRequest } from '../http/errors.ts';
import { monthFigures, sloOf, type MonthFigures, type ReportDeps } from './monthly.ts';
import { monthIds, monthOf } from './period.ts';
import { countBy, round } from './arith.ts';
import { theilSenTrend } from './forecast.ts';
import type { Progress } from './capacity.ts';

export type AnnualReport = Awaited<ReturnType<typeof buildAnnualReport>>;

/**
 * Twelve consecutive months side by side (item 9): each month's figures as
 * in its monthly report (CPU from hourly means), the worst targets and
 * hosts over the year, recurring root causes and incidents, and a drafted
 * improvement plan derived from them.
 */
export async function buildAnnualReport(deps: ReportDeps, firstMonth: string, environment: string, progress: Progress = () => undefined) {
  const ids = monthIds(monthOf(firstMonth, deps.timezone, 'from').id, 12);
  const last = monthOf(ids[11]!, deps.timezone);
  if (last.from > deps.now()) throw badRequest('future_month', `the 12 months from ${firstMonth} run to ${ids[11]}, which has not begun`, [{ field: 'from', reason: 'the last month is in the future' }]);
  // Each month as the monthly report has it, with CPU from the hourly rollup (a year of minutes is too many).
  const months: MonthFigures[] = [];
  for (const id of ids) {
    months.push(await monthFigures(deps, id, environment, 'hour'));
    progress(months.length, ids.length, 'months');
  }
  const targets = targetYear(months);
  const hosts = hostYear(months);
  const rows = months.map(monthRow);
  const tickets = deps.ledger.list().filter((t) => t.environment === environment && t.openedAt >= monthOf(ids[0]!, deps.timezone).from && t.openedAt < last.to);
  const recurring = recurringIncidents(tickets);
  return {
    from: ids[0]!,
    to: ids[11]!,
    environment,
    timezone: deps.timezone,
    generated_at: new Date(deps.now()).toISOString(),
    complete: deps.now() >= last.to,
    slo: sloOf(deps),
    months: rows,
    /** Theil–Sen slopes over the months (per month; null under three months with a value). */
    trends: {
      availability_percent_per_month: slopeOf(rows.map((r) => r.availability_percent), 3),
      worst_p95_ms_per_month: slopeOf(rows.map((r) => r.worst_p95_ms), 0),
      incidents_per_month: slopeOf(rows.map((r) => r.incidents_opened), 2),
      mttr_minutes_per_month: slopeOf(rows.map((r) => r.mttr_minutes), 1),
    },
    target_trends: targetTrends(months),
    targets,
    hosts,
    root_causes: countBy(tickets, (t) => t.rootCauseCategory ?? 'unset'),
    recurring,
    plan: improvementPlan(targets, hosts, recurring),
  };
}

/** One month's line of the analysis: the monthly report's figures, summed up. */
function monthRow(m: MonthFigures) {
  const probes = m.targets.reduce((n, t) => n + t.probes, 0);
  return {
    month: m.month.id,
    targets: m.targets.length,
    targets_meeting_slo: m.targets.filter((t) => t.slo_met).length,
    /** Over every probe of every target (maintenance included, as the error budget counts it). */
    availability_percent: probes ? round((m.targets.reduce((n, t) => n + t.ok, 0) / probes) * 100, 3) : null,
    lowest_availability_percent: extreme(m.targets.map((t) => t.availability_excluding_maintenance_percent), Math.min),
    worst_p95_ms: extreme(m.targets.map((t) => t.p95_ms), Math.max),
    incidents_opened: m.incidents.opened,
    mtta_minutes: m.incidents.mtta_minutes,
    mttr_minutes: m.incidents.mttr_minutes,
    open_at_month_end: m.incidents.open_at_month_end,
    hosts_over_threshold: m.hosts.filter((h) => h.over_threshold).length,
    error_lines: m.errors.filter((e) => e.level !== 'warn').reduce((n, e) => n + Number(e.count), 0),
  };
}

/** The Theil–Sen slope of a monthly series (x: the month's index), or null under three known months. */
function slopeOf(values: (number | null)[], digits: number): number | null {
  const points = values.flatMap((v, i) => (v === null ? [] : [[i, v] as const]));
  return points.length >= 3 ? round(theilSenTrend(points)!.slope, digits) : null;
}

/** Each target's availability (maintenance excluded) and p95 per month, and their trends, worst availability first. */
function targetTrends(months: MonthFigures[]) {
  const byTarget = new Map<string, { availability: (number | null)[]; p95: (number | null)[] }>();
  for (const [i, m] of months.entries()) {
    for (const t of m.targets) {
      const entry = byTarget.get(t.target) ?? { availability: months.map(() => null), p95: months.map(() => null) };
      entry.availability[i] = t.availability_excluding_maintenance_percent;
      entry.p95[i] = t.p95_ms;
      byTarget.set(t.target, entry);
    }
  }
  return [...byTarget.entries()]
    .map(([target, e]) => ({
      target,
      lowest_availability_percent: extreme(e.availability, Math.min),
      availability_trend_per_month: slopeOf(e.availability, 3),
      worst_p95_ms: extreme(e.p95, Math.max),
      p95_trend_ms_per_month: slopeOf(e.p95, 0),
      monthly: months.map((m, i) => ({ month: m.month.id, availability_percent: e.availability[i]!, p95_ms: e.p95[i]! })),
    }))
    .sort((a, b) => (a.lowest_availability_percent ?? 101) - (b.lowest_availability_percent ?? 101) || a.target.localeCompare(b.target));
}

/** The largest (Math.max) or smallest (Math.min) of the known values, or null when none is known. */
const extreme = (values: (number | null)[], pick: (...known: number[]) => number) => {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? pick(...known) : null;
};

/** Each target's share within 5 s per month, and over the year (weighted by probes), worst first. */
function targetYear(months: MonthFigures[]) {
  const byTarget = new Map<string, { probes: number; good: number; missed: number; monthly: Record<string, number | null> }>();
  for (const m of months) {
    for (const t of m.targets) {
      const entry = byTarget.get(t.target) ?? { probes: 0, good: 0, missed: 0, monthly: {} };
      entry.probes += t.probes;
      entry.good += ((t.within_target_percent ?? 0) / 100) * t.probes;
      if (!t.slo_met) entry.missed++;
      entry.monthly[m.month.id] = t.within_target_percent;
      byTarget.set(t.target, entry);
    }
  }
  return [...byTarget.entries()]
    .map(([target, e]) => ({ target, probes: e.probes, within_target_percent: e.probes ? round((e.good / e.probes) * 100, 3) : null, months_slo_missed: e.missed, monthly: e.monthly }))
    .sort((a, b) => (a.within_target_percent ?? 101) - (b.within_target_percent ?? 101) || a.target.localeCompare(b.target));
}

/** Each host's p95 CPU per month, its peak, the months over its threshold and the trend of the monthly p95 (points a month), busiest first. */
function hostYear(months: MonthFigures[]) {
  const byHost = new Map<string, { threshold: number; peak: number; over: number; monthly: Record<string, number> }>();
  for (const m of months) {
    for (const h of m.hosts) {
      const entry = byHost.get(h.host) ?? { threshold: h.threshold_percent, peak: 0, over: 0, monthly: {} };
      entry.peak = Math.max(entry.peak, h.peak_percent);
      if (h.over_threshold) entry.over++;
      entry.monthly[m.month.id] = h.p95_percent;
      byHost.set(h.host, entry);
    }
  }
  const order = months.map((m) => m.month.id);
  return [...byHost.entries()]
    .map(([host, e]) => ({ host, threshold_percent: e.threshold, peak_percent: e.peak, months_over_threshold: e.over, p95_trend_per_month: slopeOf(order.map((id) => e.monthly[id] ?? null), 2), monthly: e.monthly }))
    .sort((a, b) => b.months_over_threshold - a.months_over_threshold || Math.max(...Object.values(b.monthly)) - Math.max(...Object.values(a.monthly)));
}

/** The same alert rule on the same target or host, or the same title, twice or more in the year: with or without a permanent fix on record. */
function recurringIncidents(tickets: Ticket[]) {
  const groups = new Map<string, Ticket[]>();
  for (const t of tickets) {
    const subject = t.labels?.target ?? t.labels?.host ?? '';
    const key = t.rule ? `${t.rule} ${subject}`.trim() : t.title;
    const group = groups.get(key) ?? [];
    group.push(t);
    groups.set(key, group);
  }
  return [...groups.entries()]
    .filter(([, list]) => list.length >= 2)
    .map(([key, list]) => ({ key, title: list[0]!.title, title_en: list[0]!.titleEn ?? list[0]!.title, occurrences: list.length, permanent_fix: list.some((t) => (t.report.permanent_fix ?? '').trim() !== ''), tickets: list.map((t) => t.number) }))
    .sort((a, b) => b.occurrences - a.occurrences || a.key.localeCompare(b.key));
}

interface PlanItem {
  kind: 'scale_host' | 'meet_slo' | 'fix_recurring';
  subject: string;
  text: string;
  text_en: string;
}

/** A draft the operator edits before issuing: one item per host to scale, target missing the SLO, recurring incident without a permanent fix. */
function improvementPlan(targets: ReturnType<typeof targetYear>, hosts: ReturnType<typeof hostYear>, recurring: ReturnType<typeof recurringIncidents>): PlanItem[] {
  const plan: PlanItem[] = [];
  for (const h of hosts) {
    const rising = (h.p95_trend_per_month ?? 0) > 0;
    if (h.months_over_threshold === 0 && !(rising && Math.max(...Object.values(h.monthly)) > h.threshold_percent * 0.8)) continue;
    const trend = h.p95_trend_per_month === null ? '' : `、p95 の傾向は月あたり ${h.p95_trend_per_month > 0 ? '+' : ''}${h.p95_trend_per_month} ポイント`;
    const trendEn = h.p95_trend_per_month === null ? '' : `; its p95 moves ${h.p95_trend_per_month > 0 ? '+' : ''}${h.p95_trend_per_month} points a month`;
    plan.push({
      kind: 'scale_host',
      subject: h.host,
      text: `${h.host}: CPU がしきい値 ${h.threshold_percent}% を ${h.months_over_threshold} か月で超過（最大 ${h.peak_percent}%${trend}）。増強または負荷分散を検討する。`,
      text_en: `${h.host}: CPU above its ${h.threshold_percent}% threshold in ${h.months_over_threshold} month(s) (peak ${h.peak_percent}%${trendEn}). Consider scaling it up or spreading the load.`,
    });
  }
  for (const t of targets.filter((x) => x.months_slo_missed > 0)) {
    plan.push({
      kind: 'meet_slo',
      subject: t.target,
      text: `${t.target}: 5 秒以内の応答が年間 ${t.within_target_percent}%、${t.months_slo_missed} か月で SLO 未達。遅い処理の特定と改善を計画する。`,
      text_en: `${t.target}: ${t.within_target_percent}% of probes answered within 5 s over the year; the SLO was missed in ${t.months_slo_missed} month(s). Find and improve the slow paths.`,
    });
  }
  for (const r of recurring.filter((x) => !x.permanent_fix)) {
    plan.push({
      kind: 'fix_recurring',
      subject: r.key,
      text: `「${r.title}」が ${r.occurrences} 回発生し、恒久対策が記録されていない（${r.tickets.join(', ')}）。恒久対策を決めて実施する。`,
      text_en: `"${r.title_en}" happened ${r.occurrences} times with no permanent fix on record (${r.tickets.join(', ')}). Decide on a permanent fix and carry it out.`,
    });
  }
  return plan;
}
