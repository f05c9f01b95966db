import type { Storage } from '../storage/client.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { Ticket } from '../ledger/model.ts';
import type { MaintenanceCalendar } from '../maintenance/calendar.ts';
import { totalMinutes } from '../maintenance/intervals.ts';
import type { Rule } from '../rules/types.ts';
import { rumSummary } from '../faro/queries.ts';
import { monthOf, previousMonthId, type Month } from './period.ts';
import { agreedThreshold, type CapacitySettings, type Progress } from './capacity.ts';
import { hostCpu, logErrors, minutesKept, targetTotals, totalsWithin } from './queries.ts';
import { countBy, mean, round } from './arith.ts';
import { capacityFindings } from './host-findings.ts';
import { logChanges, topLogErrors } from './log-trends.ts';
import type { ReportTexts } from './texts.ts';
import { NOTES, type ReportNote } from './notes.ts';

/** The 5-second response target (item 22). */
export const RESPONSE_TARGET_MS = 5000;

export interface ReportDeps {
  storage: Storage;
  ledger: Pick<Ledger, 'list'>;
  calendar: Pick<MaintenanceCalendar, 'excludedMinutes'>;
  timezone: string;
  rules: Rule[];
  /** Share of probes that must answer within 5 s. */
  sloObjectivePercent: number;
  /** Agreed CPU thresholds for the capacity review. */
  capacity: CapacitySettings;
  /** The release history, for the month's releases and their go/no-go (item 10, 11). */
  releases?: { list(environment?: string): { version: string; releasedAt: number; summary: string; runs: string[]; decisions: { decision: string; by: string; comment: string; at: number }[] }[] };
  now: () => number;
}

const percent = (part: number, whole: number, digits = 3) => (whole > 0 ? round((part / whole) * 100, digits) : null);
const minutes = (ms: number | null) => (ms === null ? null : round(ms / 60_000, 1));
const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export type MonthlyReport = Awaited<ReturnType<typeof buildMonthlyReport>>;
export type MonthFigures = Awaited<ReturnType<typeof monthFigures>>;

/** What a month shows in the monthly report and in the annual analysis alike: targets, incidents, CPU per host, log warnings and errors. */
export async function monthFigures(deps: ReportDeps, monthId: string, environment: string, cpuGrain: 'minute' | 'hour') {
  const month = monthOf(monthId, deps.timezone);
  // A month whose 1-minute CPU has expired (older than retention.metrics) is read from the hourly rollup.
  const grain = cpuGrain === 'minute' && !(await minutesKept(deps.storage, 'metrics', environment, month.from, month.to)) ? 'hour' : cpuGrain;
  const [targets, hosts, errors] = await Promise.all([
    targetSection(deps, month, environment),
    // The threshold agreed for capacity reviews, so the monthly report and the review judge a host alike.
    hostCpu(deps.storage, environment, month.from, month.to, (host) => agreedThreshold(deps.capacity, deps.rules, environment, host).percent, grain),
    logErrors(deps.storage, environment, month.from, month.to),
  ]);
  const notes: ReportNote[] = [NOTES.errorBudget, ...targets.notes];
  if (grain !== cpuGrain && hosts.length > 0) notes.push(NOTES.cpuHourly);
  return {
    month,
    targets: targets.rows,
    incidents: incidentSection(deps.ledger.list(), month, environment),
    /** `minute`: time above the threshold from 1-minute means; `hour`: from hourly means (the minutes have expired). */
    cpu_grain: grain,
    hosts: hosts.map((h) => ({ host: h.host, threshold_percent: h.threshold, mean_percent: round(h.mean, 1), p95_percent: round(h.p95, 1), peak_percent: round(h.peak, 1), minutes: grain === 'hour' ? h.minutes * 60 : h.minutes, above_threshold_percent: percent(h.minutes_above, h.minutes, 2), over_threshold: h.p95 > h.threshold })),
    errors,
    notes,
  };
}

export const sloOf = (deps: ReportDeps) => ({ response_target_ms: RESPONSE_TARGET_MS, objective_percent: deps.sloObjectivePercent });

/** Every figure of one month's report for one environment (item 9), from the rollups and the ledger; `texts` gives the capacity proposals' state. */
export async function buildMonthlyReport(deps: ReportDeps, monthId: string, environment: string, options: { texts: Pick<ReportTexts, 'current'>; progress?: Progress }) {
  const month = monthOf(monthId, deps.timezone);
  const previous = monthOf(previousMonthId(monthId), deps.timezone);
  let done = 0;
  const step = <T>(phase: string, work: Promise<T>) => work.then((value) => (options.progress?.(++done, 4, phase), value));
  const [figures, rum, previousErrors, capacity] = await Promise.all([
    step('targets, incidents, CPU', monthFigures(deps, monthId, environment, 'minute')),
    step('page loads', rumSummary(deps.storage, { environment, from: month.from, to: month.to })),
    step('previous month', logErrors(deps.storage, environment, previous.from, previous.to)),
    step('capacity review', capacityFindings(deps, environment, month, options.texts)),
  ]);
  return {
    month: month.id,
    environment,
    timezone: deps.timezone,
    from: iso(month.from)!,
    to: iso(month.to)!,
    generated_at: iso(deps.now())!,
    /** False while the month is not over: its figures are so far. */
    complete: deps.now() >= month.to,
    slo: sloOf(deps),
    targets: figures.targets,
    rum: rum.map((p) => ({ app: p.app, page: p.page, page_loads: p.page_loads, load_p75_ms: p.load_ms.p75, load_p95_ms: p.load_ms.p95, lcp_p75_ms: p.lcp.p75, errors: p.errors })),
    incidents: figures.incidents,
    cpu_grain: figures.cpu_grain,
    /** The capacity review the hosts' findings come from: its 90 days and its horizon. */
    capacity_review: capacity.review,
    hosts: figures.hosts.map((h) => ({ ...h, ...capacity.of(h.host) })),
    /** This month's busiest services and levels. */
    log_errors: topLogErrors(figures.errors, previousErrors),
    /** The largest increases and decreases against the month before. */
    log_changes: logChanges(figures.errors, previousErrors),
    releases: releasesIn(deps, month, environment),
    notes: figures.notes,
  };
}

/** The month's releases with their standing go/no-go: item 10's history as the monthly meeting sees it. */
function releasesIn(deps: ReportDeps, month: Month, environment: string) {
  return (deps.releases?.list(environment) ?? [])
    .filter((r) => r.releasedAt >= month.from && r.releasedAt < month.to)
    .sort((a, b) => a.releasedAt - b.releasedAt)
    .map((r) => {
      const d = r.decisions[r.decisions.length - 1];
      return { version: r.version, released_at: iso(r.releasedAt)!, summary: r.summary, load_tests: r.runs.length, decision: d?.decision ?? null, decided_by: d?.by ?? null, decision_comment: d?.comment ?? null };
    });
}

async function targetSection(deps: ReportDeps, month: Month, environment: string) {
  const totals = await targetTotals(deps.storage, environment, month.from, month.to);
  const windows = totals.flatMap((t) => deps.calendar.excludedMinutes(environment, t.target, month.from, month.to).map(([start, end]) => ({ target: t.target, start, end })));
  const excluded = await maintenanceTotals(deps, environment, month, windows);
  const objective = deps.sloObjectivePercent / 100;
  const rows = totals.map((t) => {
    const probes = Number(t.probes);
    const ok = Number(t.ok);
    const none = { probes: 0, ok: 0 };
    const hasWindows = windows.some((w) => w.target === t.target);
    const inWindows = !hasWindows ? none : excluded.cut.has(t.target) ? null : (excluded.totals.get(t.target) ?? none);
    // Good: answered within 5 s (slow counts answered probes only, migration 014).
    const good = Math.max(0, ok - Number(t.slow));
    const allowed = probes * (1 - objective);
    const bad = probes - good;
    return {
      target: t.target,
      probes,
      ok,
      availability_percent: percent(ok, probes),
      /** Null when the month's minutes have expired and its windows are not whole hours: unknown, not equal. */
      availability_excluding_maintenance_percent: inWindows ? percent(ok - inWindows.ok, probes - inWindows.probes) : null,
      maintenance_minutes: totalMinutes(windows.filter((w) => w.target === t.target).map((w) => [w.start, w.end])),
      p50_ms: t.p50_ms === null ? null : round(t.p50_ms, 0),
      p95_ms: t.p95_ms === null ? null : round(t.p95_ms, 0),
      p99_ms: t.p99_ms === null ? null : round(t.p99_ms, 0),
      slow: Number(t.slow),
      within_target_percent: percent(good, probes),
      slo_met: probes > 0 && good / probes >= objective,
      /** What is left of the month's error budget: 100 untouched, 0 spent, below 0 overspent. Counts every probe, maintenance too (NOTES.errorBudget). */
      error_budget_remaining_percent: allowed > 0 ? round(((allowed - bad) / allowed) * 100, 1) : null,
    };
  });
  const notes: ReportNote[] = [];
  if (excluded.hourly && windows.some((w) => !excluded.cut.has(w.target))) notes.push(NOTES.maintenanceHourly);
  if (excluded.cut.size > 0) notes.push(NOTES.maintenanceUnknown);
  return { rows, notes };
}

/**
 * Probes and answers inside the maintenance windows, per target: from the
 * 1-minute rollup while the month's minutes are kept; after, from the
 * hourly one for a target whose windows are all whole hours; else unknown
 * (the target is in `cut`).
 */
async function maintenanceTotals(deps: ReportDeps, environment: string, month: Month, windows: { target: string; start: number; end: number }[]) {
  if (windows.length === 0 || (await minutesKept(deps.storage, 'probes', environment, month.from, month.to))) return { totals: await totalsWithin(deps.storage, environment, windows), hourly: false, cut: new Set<string>() };
  const HOUR_MS = 3_600_000;
  const cut = new Set(windows.filter((w) => w.start % HOUR_MS !== 0 || w.end % HOUR_MS !== 0).map((w) => w.target));
  const totals = await totalsWithin(deps.storage, environment, windows.filter((w) => !cut.has(w.target)), 'probes_1h');
  return { totals, hourly: true, cut };
}

function incidentSection(all: Ticket[], month: Month, environment: string) {
  const tickets = all.filter((t) => t.environment === environment);
  const inMonth = (at: number | undefined) => at !== undefined && at >= month.from && at < month.to;
  const opened = tickets.filter((t) => inMonth(t.openedAt)).sort((a, b) => a.openedAt - b.openedAt);
  const endOf = (t: Ticket) => t.resolvedAt ?? t.closedAt;
  const acknowledged = opened.filter((t) => t.acknowledgedAt !== undefined);
  const resolved = opened.filter((t) => endOf(t) !== undefined);
  return {
    opened: opened.length,
    by_severity: countBy(opened, (t) => t.severity),
    by_type: countBy(opened, (t) => t.type),
    by_root_cause: countBy(opened, (t) => t.rootCauseCategory ?? 'unset'),
    /** Mean minutes from opening to acknowledgement, over the month's tickets that were acknowledged. */
    mtta_minutes: minutes(mean(acknowledged.map((t) => t.acknowledgedAt! - t.openedAt))),
    unacknowledged: opened.length - acknowledged.length,
    /** Mean minutes from opening to resolution (or closing), over the month's resolved tickets. */
    mttr_minutes: minutes(mean(resolved.map((t) => endOf(t)! - t.openedAt))),
    open_at_month_end: tickets.filter((t) => t.openedAt < month.to && !((endOf(t) ?? Infinity) < month.to)).length,
    workarounds_executed: tickets.flatMap((t) => t.workarounds).filter((w) => w.phase === 'executed' && inMonth(w.at)).length,
    warranty: countBy(tickets.filter((t) => inMonth(t.closedAt)), (t) => t.warrantyDefect ?? 'undecided'),
    tickets: opened.map((t) => ({
      number: t.number,
      type: t.type,
      severity: t.severity,
      title: t.title,
      title_en: t.titleEn ?? t.title,
      status: t.status,
      opened_at: iso(t.openedAt)!,
      acknowledged_at: iso(t.acknowledgedAt),
      resolved_at: iso(endOf(t)),
      root_cause: t.rootCauseCategory ?? null,
      warranty: t.warrantyDefect ?? null,
    })),
  };
}
