import { createHash, randomUUID } from 'node:crypto';
import type { Storage } from '../storage/client.ts';
import { dateTimeText, sql, ts } from '../storage/sql.ts';
import type { Alert, AlertState, Labels, Observation, Rule, RuleKind } from './types.ts';
import type { Severity } from './config.ts';

export interface Transition {
  alert: Alert;
  from: AlertState;
}

export function fingerprintOf(rule: string, labels: Labels): string {
  const sorted = Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join('\u0000');
  return createHash('sha256').update(`${rule}\u0001${sorted}`).digest('hex').slice(0, 16);
}

type Describe = (alert: Omit<Alert, 'description' | 'unit'>) => Pick<Alert, 'description' | 'unit'>;

interface AlertRow {
  fingerprint: string; r: string; k: string; sev: string; l: Labels; st: AlertState; since_ms: number; at_ms: number; v: number; th: number; p: number | boolean;
}

/**
 * The alert state machine per fingerprint: inactive → pending → firing →
 * resolved, and firing ⇄ nodata while its series is silent (for kinds where
 * silence is not recovery); nodata → resolved only on a reading within the
 * threshold. Every transition is appended to `alert_events` before anyone
 * is told of it, so a restart resumes exactly where it stopped.
 */
export class AlertStore {
  private readonly live = new Map<string, Alert>();

  private constructor(private readonly storage: Storage, private readonly describe: Describe) {}

  static async open(storage: Storage, describe: Describe): Promise<AlertStore> {
    const store = new AlertStore(storage, describe);
    const rows = await storage.query<AlertRow>(sql`
      SELECT fingerprint, argMax(rule, at) AS r, argMax(kind, at) AS k, argMax(severity, at) AS sev, argMax(labels, at) AS l,
             argMax(state, at) AS st, toUnixTimestamp64Milli(argMax(since, at)) AS since_ms, toUnixTimestamp64Milli(max(at)) AS at_ms,
             argMax(value, at) AS v, argMax(threshold, at) AS th, argMax(provisional, at) AS p
      FROM alert_events GROUP BY fingerprint HAVING st IN ('pending', 'firing', 'nodata')`);
    for (const row of rows) store.live.set(row.fingerprint, store.toAlert(row));
    return store;
  }

  /** Alerts now pending or firing. */
  active(): Alert[] {
    return [...this.live.values()];
  }

  /** Alerts that changed state recently (for catching up on notifications after a restart). */
  async recentlyResolved(sinceMs: number): Promise<Alert[]> {
    // Aliases as in open() (short, so none shadows a column inside an aggregate there).
    const rows = await this.storage.query<AlertRow>(sql`
      SELECT fingerprint, rule AS r, kind AS k, severity AS sev, labels AS l, state AS st, toUnixTimestamp64Milli(since) AS since_ms,
             toUnixTimestamp64Milli(at) AS at_ms, value AS v, threshold AS th, false AS p
      FROM alert_events WHERE state = 'resolved' AND at > ${ts(sinceMs)} ORDER BY at`);
    return rows.map((row) => this.toAlert(row));
  }

  private toAlert(r: AlertRow): Alert {
    const base = { fingerprint: r.fingerprint, rule: r.r, kind: r.k, severity: r.sev as Severity, labels: r.l, state: r.st, since: Number(r.since_ms), changedAt: Number(r.at_ms), value: r.v, threshold: r.th, provisional: r.p === true || r.p === 1 };
    return { ...base, ...this.describe(base) };
  }

  /** Moves every alert of `rule` by this evaluation; series missing from `observations` count as no longer breaching. */
  async apply(rule: Rule, kind: RuleKind<never>, observations: Observation[], now: number): Promise<Transition[]> {
    // If the changes cannot be recorded, memory goes back to what was recorded, and the next evaluation tries again.
    const before = [...this.live.values()].filter((a) => a.rule === rule.name).map((a) => ({ ...a }));
    const changes: Transition[] = [];
    const seen = new Set<string>();
    const description = kind.describe(rule as Rule<never>);
    const title = { ja: rule.title?.ja ?? description.ja, en: rule.title?.en ?? description.en };
    for (const o of observations) {
      const fingerprint = fingerprintOf(rule.name, o.labels);
      seen.add(fingerprint);
      const current = this.live.get(fingerprint);
      const reading = { value: o.value, threshold: o.threshold, provisional: o.provisional ?? false };
      if (o.breaching) {
        if (!current) {
          const state = rule.forMs === 0 ? 'firing' : 'pending';
          const alert: Alert = { fingerprint, rule: rule.name, kind: rule.kind, severity: o.severity ?? rule.severity, labels: o.labels, state, since: now, changedAt: now, ...reading, unit: kind.unitOf?.(rule as Rule<never>) ?? kind.unit, description: title };
          this.live.set(fingerprint, alert);
          changes.push({ alert, from: 'inactive' });
        } else {
          Object.assign(current, reading);
          // Data again after a silence, still breaching: the same episode fires on (its mail was sent).
          if ((current.state === 'pending' && now - current.since >= rule.forMs) || current.state === 'nodata') {
            const from = current.state;
            changes.push({ alert: Object.assign(current, { state: 'firing', changedAt: now }), from });
          }
        }
      } else if (current) {
        changes.push(this.end(current, now, reading));
      }
    }
    for (const alert of this.live.values()) {
      if (alert.rule !== rule.name || seen.has(alert.fingerprint) || alert.state === 'nodata') continue;
      // Silence is not recovery: a firing alert whose series stopped reporting keeps its last reading.
      if (alert.state === 'firing' && kind.silenceIsNoData) changes.push({ alert: Object.assign(alert, { state: 'nodata', changedAt: now }), from: 'firing' });
      else changes.push(this.end(alert, now, {}));
    }
    try {
      await this.record(changes);
    } catch (error) {
      for (const [fingerprint, alert] of this.live) if (alert.rule === rule.name) this.live.delete(fingerprint);
      for (const alert of before) this.live.set(alert.fingerprint, alert);
      throw error;
    }
    return changes;
  }

  /** Resolves alerts of rules no longer in the config, so none stays firing forever. */
  async retire(knownRules: Set<string>, now: number): Promise<Transition[]> {
    // No reading ends it: the value is NaN, so no mail shows an old value as recovered.
    const changes = [...this.live.values()].filter((a) => !knownRules.has(a.rule)).map((a) => this.end(a, now, { value: Number.NaN }));
    await this.record(changes);
    return changes;
  }

  private end(alert: Alert, now: number, reading: Partial<Alert>): Transition {
    this.live.delete(alert.fingerprint);
    const from = alert.state;
    return { alert: { ...alert, ...reading, state: from === 'firing' || from === 'nodata' ? 'resolved' : 'inactive', changedAt: now }, from };
  }

  private async record(changes: Transition[]): Promise<void> {
    if (changes.length === 0) return;
    const rows = changes.map(({ alert: a }) => ({
      at: dateTimeText(a.changedAt), fingerprint: a.fingerprint, rule: a.rule, kind: a.kind, severity: a.severity, environment: a.labels.environment ?? '',
      labels: a.labels, state: a.state, since: dateTimeText(a.since), value: a.value, threshold: a.threshold, provisional: a.provisional,
    }));
    await this.storage.insertRows('alert_events', rows, randomUUID());
  }
}
