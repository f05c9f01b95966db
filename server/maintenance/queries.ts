import { randomUUID } from 'node:crypto';
import type { Storage } from '../storage/client.ts';
import { dateTimeText, sql, ts, typed } from '../storage/sql.ts';
import type { MaintenanceEvent } from './fold.ts';

interface EventRow {
  at: number;
  window_id: string;
  event: string;
  actor: string;
  actor_role: string;
  name: string;
  starts_at: number;
  ends_at: number;
  environments: string[];
  targets: string[];
  message_ja: string;
  message_en: string;
}

/** Every maintenance change ever made, oldest first. */
export async function readMaintenanceEvents(storage: Storage): Promise<MaintenanceEvent[]> {
  const rows = await storage.query<EventRow>(sql`
    SELECT toUnixTimestamp64Milli(at) AS at, window_id, event, actor, actor_role, name,
      toUnixTimestamp64Milli(starts_at) AS starts_at, toUnixTimestamp64Milli(ends_at) AS ends_at,
      environments, targets, message_ja, message_en
    FROM maintenance_events ORDER BY at, window_id, indexOf(['created', 'updated', 'cancelled'], event)`);
  return rows.map((r) => ({
    at: Number(r.at),
    windowId: r.window_id,
    event: r.event === 'cancelled' || r.event === 'updated' ? r.event : 'created',
    actor: { name: r.actor, role: r.actor_role },
    name: r.name,
    start: Number(r.starts_at),
    end: Number(r.ends_at),
    environments: r.environments,
    targets: r.targets,
    message: { ja: r.message_ja, en: r.message_en },
  }));
}

export async function appendMaintenanceEvent(storage: Storage, e: MaintenanceEvent): Promise<void> {
  const row = {
    at: dateTimeText(e.at),
    window_id: e.windowId,
    event: e.event,
    actor: e.actor.name,
    actor_role: e.actor.role,
    name: e.name,
    starts_at: dateTimeText(e.start),
    ends_at: dateTimeText(e.end),
    environments: e.environments,
    targets: e.targets,
    message_ja: e.message.ja,
    message_en: e.message.en,
  };
  // A fresh token: two identical changes are still two events.
  await storage.insertRows('maintenance_events', [row], randomUUID());
}

export interface ProbeTotals {
  probes: number;
  ok: number;
}

/** Probe answers of one target in [from, to) from the 1-minute rollup, leaving out the `excluded` minutes. */
export async function probeTotals(
  storage: Storage,
  q: { environment: string; target: string; from: number; to: number; excluded: [number, number][] },
): Promise<ProbeTotals> {
  // Interval bounds as two arrays of epoch seconds: one parameter each, however many windows.
  const starts = typed(q.excluded.map(([s]) => Math.floor(s / 1000)), 'Array(Int64)');
  const ends = typed(q.excluded.map(([, e]) => Math.ceil(e / 1000)), 'Array(Int64)');
  const [row] = await storage.query<{ probes: number; ok: number }>(sql`
    SELECT sum(count) AS probes, sum(ok_count) AS ok
    FROM probes_1m
    WHERE environment = ${q.environment} AND target = ${q.target}
      AND time >= ${ts(q.from)} AND time < ${ts(q.to)}
      AND NOT arrayExists((s, e) -> toUnixTimestamp(time) >= s AND toUnixTimestamp(time) < e, ${starts}, ${ends})`);
  return { probes: Number(row?.probes ?? 0), ok: Number(row?.ok ?? 0) };
}
