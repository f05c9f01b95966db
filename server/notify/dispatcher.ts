import type { Alert } from '../rules/types.ts';
import type { Severity } from '../rules/config.ts';
import type { Transition } from '../rules/alert-store.ts';
import { channelsOf, type AlertNotice, type Recipient, type TicketRef } from './types.ts';
import type { Deliveries } from './deliveries.ts';
import { renderAlert } from './templates/alert.ts';

export interface Timing {
  groupWaitMs: Record<Severity, number>;
  groupIntervalMs: number;
  repeatIntervalMs: number;
}

export interface DispatcherDeps {
  deliveries: Deliveries;
  timing: Timing;
  /** Recipients of a rule's alerts (the rule's `notify`, else the defaults). */
  recipientsOf(rule: string): Recipient[];
  /** Why this alert must not be sent now (maintenance window, silence), or undefined. */
  suppression(alert: Alert, now: number): string | undefined;
  /** Opens or updates the ticket of a firing alert, or finds the ticket of a resolved one; its number. */
  ticketFor(alert: Alert, firing: boolean): Promise<string | undefined>;
  /** The links a recipient's mail shows for a ticket (the acknowledge link is signed for them). */
  ticketRef(number: string, recipient: string): TicketRef;
  resolved(alert: Alert): Promise<void>;
  /** A firing alert's series went silent: recorded on its ticket (once per episode). */
  noData(alert: Alert): Promise<void>;
  context(alert: Alert): Promise<Pick<AlertNotice, 'recentLogs' | 'recentProbes' | 'workaround'>>;
  isProduction(environment: string): boolean;
  timezone: string;
  now: () => number;
  onError(error: Error): void;
}

interface Group {
  key: string;
  rule: string;
  environment: string;
  firing: Map<string, Alert>;
  resolved: Map<string, Alert>;
  lastFlush?: number;
  lastSent: Map<string, number>;
  timer?: NodeJS.Timeout;
  /** The flush in progress: flushes of one group run one after another, so a tick and a transition never both send. */
  flushing?: Promise<void>;
}

const keyOf = (a: Alert, state: 'firing' | 'nodata' | 'resolved') => `${a.fingerprint}@${a.since}:${state}`;

/**
 * Alertmanager's pipeline, in-process: group (rule × environment) →
 * wait (group_wait, 0 s for critical) → suppress (maintenance, silences;
 * recorded) → dedup against the notification log → send with retry →
 * record. A group re-sends its firing alerts every repeat_interval.
 */
export class Dispatcher {
  private readonly groups = new Map<string, Group>();
  private readonly suppressedKeys = new Set<string>();

  constructor(private readonly deps: DispatcherDeps) {}

  /** Takes the evaluator's transitions; a group due now is flushed before this returns. */
  async onTransitions(changes: Transition[]): Promise<void> {
    const due = new Set<Group>();
    for (const { alert } of changes) {
      if (alert.state !== 'firing' && alert.state !== 'nodata' && alert.state !== 'resolved') continue;
      const group = this.groupOf(alert);
      // A silent alert stays with the firing ones: it is still a problem, only without a reading.
      if (alert.state !== 'resolved') group.firing.set(alert.fingerprint, alert);
      else {
        // Only the episode that ended leaves; a later episode of the same alert stays firing.
        if (group.firing.get(alert.fingerprint)?.since === alert.since) group.firing.delete(alert.fingerprint);
        group.resolved.set(alert.fingerprint, alert);
      }
      due.add(group);
    }
    for (const group of due) await this.schedule(group, changes.find((c) => this.groupOf(c.alert) === group)!.alert.severity);
  }

  /** Re-offers alerts after a restart: the notification log decides what is still unsent. */
  async catchUp(firing: Alert[], resolved: Alert[]): Promise<void> {
    const active = new Set(firing.map((a) => a.fingerprint));
    // An earlier episode of an alert that fires again now has nothing left to say.
    const ended = resolved.filter((a) => !active.has(a.fingerprint));
    await this.onTransitions([...firing.filter((a) => a.state === 'firing' || a.state === 'nodata'), ...ended].map((alert) => ({ alert, from: 'firing' as const })));
  }

  /** Periodic: repeats, and alerts whose suppression has ended. */
  async tick(): Promise<void> {
    const now = this.deps.now();
    for (const group of this.groups.values()) {
      if (group.firing.size === 0 || group.timer) continue;
      const sentTimes = this.deps.recipientsOf(group.rule).flatMap((r) => channelsOf(r).map((c) => group.lastSent.get(`${r.name}|${c}`) ?? this.deps.deliveries.lastAlertSent(r.name, c, group.key)));
      const repeatDue = sentTimes.some((t) => t !== undefined && now - t >= this.deps.timing.repeatIntervalMs);
      const unsent = [...group.firing.values()].some((a) => this.deps.recipientsOf(a.rule).some((r) => channelsOf(r).some((c) => {
        const told = (state: 'firing' | 'nodata') => this.deps.deliveries.has(r.name, c, keyOf(a, state));
        return a.state === 'nodata' ? told('firing') && !told('nodata') : !told('firing');
      })));
      if (repeatDue || unsent) await this.flush(group);
    }
  }

  stop(): void {
    for (const g of this.groups.values()) clearTimeout(g.timer);
  }

  private groupOf(alert: Alert): Group {
    const environment = alert.labels.environment ?? '';
    const key = `${alert.rule}|${environment}`;
    let group = this.groups.get(key);
    if (!group) this.groups.set(key, (group = { key, rule: alert.rule, environment, firing: new Map(), resolved: new Map(), lastSent: new Map() }));
    return group;
  }

  private async schedule(group: Group, severity: Severity): Promise<void> {
    if (group.timer) return;
    const now = this.deps.now();
    const at = group.lastFlush === undefined ? now + this.deps.timing.groupWaitMs[severity] : Math.max(now, group.lastFlush + this.deps.timing.groupIntervalMs);
    if (at <= now) return this.flush(group);
    group.timer = setTimeout(() => {
      group.timer = undefined;
      void this.flush(group).catch((e: Error) => this.deps.onError(e));
    }, at - now);
    group.timer.unref();
  }

  private flush(group: Group): Promise<void> {
    const run = (group.flushing ?? Promise.resolve()).then(() => this.flushNow(group));
    group.flushing = run.catch(() => undefined);
    return run;
  }

  private async flushNow(group: Group): Promise<void> {
    const now = this.deps.now();
    group.lastFlush = now;
    const firing: Alert[] = [];
    for (const alert of group.firing.values()) {
      const reason = this.deps.suppression(alert, now);
      if (!reason) firing.push(alert);
      else await this.recordSuppressed(group, alert, reason);
    }
    // Every firing alert has its ticket before anyone is told (one per fingerprint while open).
    const tickets = new Map<string, string | undefined>();
    // A silent alert finds its ticket but never opens one: silence alone is not a new incident.
    for (const alert of firing) tickets.set(alert.fingerprint, await this.deps.ticketFor(alert, alert.state === 'firing'));
    for (const alert of firing) if (alert.state === 'nodata') await this.deps.noData(alert);
    const burning = firing.filter((a) => a.state === 'firing');
    const resolved = [...group.resolved.values()];
    group.resolved.clear();
    for (const alert of resolved) tickets.set(alert.fingerprint, await this.deps.ticketFor(alert, false));
    for (const alert of resolved) await this.deps.resolved(alert);
    // A group with nothing firing ends here: its next alert waits group_wait again, as a new group.
    if (group.firing.size === 0 && this.groups.get(group.key) === group) this.groups.delete(group.key);
    // A ticket nobody is told of must say why: no recipient (rule `notify`, `default_recipients`) has a channel.
    if (!this.deps.recipientsOf(group.rule).some((r) => channelsOf(r).length > 0)) {
      for (const alert of burning) await this.recordSuppressed(group, alert, 'no_recipients', tickets.get(alert.fingerprint));
    }
    // The mail's context (recent logs or probes, the workaround) is looked up once per alert, not per recipient and channel.
    const contexts = new Map<string, ReturnType<DispatcherDeps['context']>>();
    const contextOf = (a: Alert) => contexts.get(a.fingerprint) ?? contexts.set(a.fingerprint, this.deps.context(a)).get(a.fingerprint)!;
    for (const recipient of this.deps.recipientsOf(group.rule)) {
      for (const channel of channelsOf(recipient)) {
        const told = (a: Alert, s: 'firing' | 'nodata' | 'resolved') => this.deps.deliveries.has(recipient.name, channel, keyOf(a, s));
        const newFiring = burning.filter((a) => !told(a, 'firing'));
        // A recovery, or a silence, is news only to whoever heard of the failure.
        const newNoData = firing.filter((a) => a.state === 'nodata' && told(a, 'firing') && !told(a, 'nodata'));
        const newResolved = resolved.filter((a) => told(a, 'firing') && !told(a, 'resolved'));
        const last = group.lastSent.get(`${recipient.name}|${channel}`) ?? this.deps.deliveries.lastAlertSent(recipient.name, channel, group.key);
        const repeat = newFiring.length === 0 && burning.length > 0 && last !== undefined && now - last >= this.deps.timing.repeatIntervalMs;
        if (!newFiring.length && !newNoData.length && !newResolved.length && !repeat) continue;
        const about = newFiring[0] ?? (repeat ? burning[0] : undefined) ?? newNoData[0] ?? newResolved[0]!;
        const number = tickets.get(about.fingerprint);
        const ticket = number ? this.deps.ticketRef(number, recipient.name) : undefined;
        const notice: AlertNotice = {
          environment: group.environment, production: this.deps.isProduction(group.environment), rule: group.rule,
          // The news first: the subject and the ticket are about the alert that just fired.
          firing: newFiring.length || repeat ? [...newFiring, ...burning.filter((a) => !newFiring.includes(a))] : [], noData: newNoData, resolved: newResolved, ticket, timezone: this.deps.timezone, repeat,
          ...(await contextOf(about)),
        };
        const keys = [...newFiring.map((a) => keyOf(a, 'firing')), ...newNoData.map((a) => keyOf(a, 'nodata')), ...newResolved.map((a) => keyOf(a, 'resolved')), ...(repeat ? [`${group.key}@${now}:repeat`] : [])];
        group.lastSent.set(`${recipient.name}|${channel}`, now);
        await this.deps.deliveries.enqueue({ purpose: 'alert', channel, recipient, groupKey: group.key, alertKeys: keys, ticket: ticket?.number ?? '', message: renderAlert(notice, recipient.language) });
      }
    }
  }

  private async recordSuppressed(group: Group, alert: Alert, reason: string, ticket = ''): Promise<void> {
    const key = `${keyOf(alert, 'firing')}|${reason}`;
    if (this.suppressedKeys.has(key)) return;
    // Bounded: forgetting old keys at worst records a long suppression twice.
    if (this.suppressedKeys.size > 10_000) this.suppressedKeys.clear();
    this.suppressedKeys.add(key);
    const names = this.deps.recipientsOf(group.rule).map((r) => r.name);
    for (const name of names.length ? names : ['']) await this.deps.deliveries.suppressed(name, group.key, [keyOf(alert, 'firing')], ticket, reason);
  }
}
