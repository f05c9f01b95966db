import type { Alerting } from '../alerting.ts';
import type { Config } from '../config/load.ts';
import type { Storage } from '../storage/client.ts';
import { windowMatches, type MaintenanceWindow } from '../maintenance/types.ts';
import { instantOf, wallTimeOf } from '../maintenance/zoned-time.ts';
import { cpuSeries, failureDetails, lastProbes, probeDay, recentProbes, sparkMinutes, type LastProbe } from './queries.ts';
import type { HostTile, TargetTile, WallDocument } from './schemas.ts';
import { countStates, cpuThreshold, firingByTarget, keyOf, stateOf, type Reading, type RecentReadings } from './tiles.ts';
import { isProduction } from '../shared/environments.ts';

export interface WallDeps {
  storage: Storage;
  alerting: Pick<Alerting, 'store' | 'ledger' | 'calendar'>;
  config: Pick<Config, 'timezone' | 'environments' | 'rules' | 'targets'>;
  now: () => number;
  /** Probes ingest has acknowledged but the writer may not have loaded yet. */
  recent?: RecentReadings;
}

const MAX_INCIDENTS = 20;
/** A host whose newest CPU minute is older than this shows as silent, its last value no longer current. */
const HOST_STALE_AFTER_MS = 3 * 60_000;
/** A target with no probe for this long is stale. */
export const STALE_MS = 10 * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const round = (value: number | null | undefined, digits: number) => (value === null || value === undefined || !Number.isFinite(value) ? null : Math.round(value * 10 ** digits) / 10 ** digits);

export function localMidnight(now: number, timezone: string): number {
  const w = wallTimeOf(now, timezone);
  return instantOf({ ...w, hour: 0, minute: 0, second: 0, millisecond: 0 }, timezone);
}

/** The wall screen's document for every environment (narrowWall gives one): three ClickHouse queries (one more when a target is long silent, one more when one is down), whatever the number of targets and hosts. */
export async function buildWall(deps: WallDeps): Promise<WallDocument> {
  const { config, alerting } = deps;
  const now = deps.now();
  const scope = { now };
  // One after another: on chDB they share two cores, and in parallel they measured slower.
  const recentRows = await recentProbes(deps.storage, scope);
  const day = await probeDay(deps.storage, { ...scope, midnight: localMidnight(now, config.timezone) });
  const cpu = await cpuSeries(deps.storage, scope);
  // Readings the writer may not have loaded yet; older ones are in the tables.
  const fresh = (deps.recent?.all() ?? []).filter((r) => now - r.at < STALE_MS);

  const names = new Map<string, { environment: string; target: string }>();
  for (const t of [...config.targets.map((c) => ({ environment: c.environment, target: c.name })), ...day, ...recentRows, ...fresh]) {
    names.set(keyOf(t.environment, t.target), { environment: t.environment, target: t.target });
  }
  const last = new Map<string, Reading>();
  const remember = (p: LastProbe) => last.set(keyOf(p.environment, p.target), { at: p.at, ms: p.last_ms, ok: Boolean(p.last_ok), status: Number(p.last_status ?? 0), error: p.last_error ?? '' });
  recentRows.forEach(remember);
  const silent = [...names].filter(([key]) => !last.has(key)).map(([, t]) => t);
  if (silent.length) (await lastProbes(deps.storage, { ...scope, targets: silent })).forEach(remember);
  // Down targets only: what their newest probe said (status, error), in one keyed lookup.
  const down = [...last].filter(([key, r]) => !r.ok && !r.error && names.has(key)).map(([key]) => names.get(key)!);
  if (down.length) {
    for (const d of await failureDetails(deps.storage, { ...scope, targets: down })) {
      const r = last.get(keyOf(d.environment, d.target));
      // The lookup's IN lists may also match a pair that is not down; only a failed reading takes the detail.
      if (r && !r.ok) Object.assign(r, { status: Number(d.last_status), error: d.last_error });
    }
  }
  for (const r of fresh) {
    const key = keyOf(r.environment, r.target);
    if (names.has(key) && r.at > (last.get(key)?.at ?? -Infinity)) last.set(key, r);
  }
  const p95 = new Map(recentRows.map((h) => [keyOf(h.environment, h.target), h.p95_ms]));
  const today = new Map(day.map((d) => [keyOf(d.environment, d.target), d.today_count ? (100 * d.today_ok) / d.today_count : null]));
  const firing = firingByTarget(alerting.store.active());
  const windows = alerting.calendar.active(now);

  const targets: TargetTile[] = [...names.entries()].map(([key, { environment: env, target }]) => {
    const reading = last.get(key);
    const alerts = firing.get(key) ?? [];
    const inMaintenance = windows.some((w) => windowMatches(w, { environment: env, target }));
    return {
      environment: env,
      target,
      state: stateOf(reading, alerts, inMaintenance, now, STALE_MS),
      // A failed probe's time (a quick 500, a timeout) is no response time: the tile says what failed instead.
      last_ms: reading?.ok ? round(reading.ms, 1) : null,
      last_ok: reading ? reading.ok : null,
      last_status: reading && !reading.ok ? reading.status || null : null,
      last_error: reading && !reading.ok ? reading.error || null : null,
      last_at: reading ? iso(reading.at) : null,
      p95_1h_ms: round(p95.get(key), 1),
      availability_today: round(today.get(key), 3),
      alerts: [...new Set(alerts.map((a) => a.rule))].sort(),
    };
  });

  const minutes = sparkMinutes(now);
  const hosts: HostTile[] = cpu.map((h) => {
    const byMinute = new Map(h.t.map((t, i) => [Number(t), h.v[i]!]));
    const spark = minutes.map((m) => round(byMinute.get(m), 1));
    const lastAt = Number(h.t.at(-1)) + 60_000; // the end of its newest minute
    return { environment: h.environment, host: h.host, cpu: round(h.v.at(-1), 1), threshold: cpuThreshold(config.rules, h.environment, h.host), spark, last_at: new Date(lastAt).toISOString(), stale: now - lastAt > HOST_STALE_AFTER_MS };
  });

  const order = (env: string) => (config.environments.indexOf(env) + 1 || Infinity);
  const byPlace = <T extends { environment: string }>(name: (x: T) => string) => (a: T, b: T) => order(a.environment) - order(b.environment) || a.environment.localeCompare(b.environment) || name(a).localeCompare(name(b));
  targets.sort(byPlace((t) => t.target));
  hosts.sort(byPlace((h) => h.host));

  return {
    time: iso(now),
    timezone: config.timezone,
    environments: config.environments.map((name) => ({ name, production: isProduction(name) })),
    counts: countStates(targets),
    targets,
    hosts,
    incidents: openIncidents(alerting.ledger, now),
    maintenance: windows.filter((w) => windowMatches(w, {})).map(windowTile),
  };
}

function openIncidents(ledger: WallDeps['alerting']['ledger'], now: number): WallDocument['incidents'] {
  return ledger
    .list()
    .filter((t) => t.status !== 'closed')
    .map((t) => ({ number: t.number, title: t.title, title_en: t.titleEn ?? t.title, environment: t.environment, severity: t.severity, status: t.status, age_s: Math.max(0, Math.floor((now - t.openedAt) / 1000)), acknowledgedBy: t.acknowledgedBy ?? null }));
}

const windowTile = (w: MaintenanceWindow): WallDocument['maintenance'][number] => ({ id: w.id, name: w.name, environments: w.environments, targets: w.targets, end: iso(w.end), message: w.message });

/**
 * One environment's view of the document (built for all, with every open
 * incident): its targets, hosts, incidents (at most 20) and maintenance.
 */
export function narrowWall(doc: WallDocument, environment: string | undefined): WallDocument {
  const mine = <T extends { environment: string }>(list: T[]) => (environment ? list.filter((x) => x.environment === environment) : list);
  const targets = mine(doc.targets);
  const maintenance = doc.maintenance.filter((w) => !environment || w.environments.length === 0 || w.environments.includes(environment));
  return { ...doc, counts: countStates(targets), targets, hosts: mine(doc.hosts), incidents: mine(doc.incidents).slice(0, MAX_INCIDENTS), maintenance };
}
