import { randomUUID } from 'node:crypto';
import type { Storage } from '../storage/client.ts';
import { dateTimeText, sql } from '../storage/sql.ts';
import type { Actor } from '../auth/actors.ts';
import type { Alert } from '../rules/types.ts';
import { serialQueue } from '../shared/serial.ts';
import { AppError, badRequest } from '../http/errors.ts';
import { applyEvent, canMove, missingForClose, type Status, type Ticket, type TicketEvent, type TicketType } from './model.ts';

export const SYSTEM: Actor = { name: 'mimamori', role: 'admin' };

export interface ManualTicket {
  type: TicketType;
  title: string;
  description?: string;
  environment: string;
  severity?: string;
  /** How the inquiry arrived (phone, mail, …) and who raised it, for item 4. */
  reportedBy?: string;
  channel?: string;
}

/**
 * The incident ledger: append-only `ticket_events`, current state folded in
 * memory (applyEvent). Numbers look like INC-2026-0001: per year in the
 * configured time zone, never reused because events are never deleted.
 * Appends are serialised so sequence numbers and ticket numbers stay unique.
 */
export class Ledger {
  private readonly tickets = new Map<string, Ticket>();
  private readonly lastNumber = new Map<string, number>();
  /** The newest ticket of each alert fingerprint (a new one opens only after the previous closed). */
  private readonly byFingerprint = new Map<string, Ticket>();
  private readonly serial = serialQueue();
  /** Told after every change (escalation timers, live views). */
  onChange: (ticket: Ticket, event: TicketEvent) => void = () => undefined;

  private constructor(private readonly storage: Storage, private readonly timezone: string, private readonly now: () => number) {}

  static async open(storage: Storage, timezone: string, now: () => number): Promise<Ledger> {
    const ledger = new Ledger(storage, timezone, now);
    const rows = await storage.query<{ ticket: string; seq: number; at: number; type: string; actor: string; actor_role: string; data: string }>(sql`
      SELECT ticket, seq, toUnixTimestamp64Milli(at) AS at, type, actor, actor_role, data FROM ticket_events ORDER BY ticket, seq`);
    for (const r of rows) ledger.fold({ ticket: r.ticket, seq: Number(r.seq), at: Number(r.at), type: r.type, actor: r.actor, actorRole: r.actor_role, data: JSON.parse(r.data) });
    return ledger;
  }

  get(number: string): Ticket {
    const ticket = this.tickets.get(number);
    if (!ticket) throw new AppError(404, 'not_found', `no ticket ${number}`, [{ field: 'number', reason: 'unknown ticket' }]);
    return ticket;
  }

  list(): Ticket[] {
    return [...this.tickets.values()].sort((a, b) => b.openedAt - a.openedAt);
  }

  /** The ticket still open (not closed) for an alert fingerprint. */
  openFor(fingerprint: string): Ticket | undefined {
    const ticket = this.byFingerprint.get(fingerprint);
    return ticket && ticket.status !== 'closed' ? ticket : undefined;
  }

  /** Tickets not yet acknowledged (what escalation watches), in no particular order. */
  unacknowledged(): Ticket[] {
    return [...this.tickets.values()].filter((t) => t.status === 'open');
  }

  /** One ticket per fingerprint while it is open; a new episode of the same alert is appended to it, or opens a new ticket once the last is closed. */
  alertFired(alert: Alert, escalation: string | undefined, title: string, titleEn?: string): Promise<Ticket> {
    return this.serial(async () => {
      const existing = this.openFor(alert.fingerprint);
      // An episode whose ticket people closed while it still fired stays with that ticket: a
      // restart or a later flush re-offering it must not open a second one (that nobody is mailed about).
      const handled = this.byFingerprint.get(alert.fingerprint);
      if (!existing && handled?.alertEpisodes.includes(alert.since)) return handled;
      if (existing) {
        // Also when its data returns still above the threshold after a silence.
        if (!existing.alertEpisodes.includes(alert.since) || !existing.alertFiring || existing.alertSilent) await this.append(existing.number, 'alert_fired', SYSTEM, { since: alert.since, value: alert.value, threshold: alert.threshold });
        return existing;
      }
      const number = this.nextNumber();
      await this.append(number, 'opened', SYSTEM, {
        type: 'incident', source: 'alert', title, ...(titleEn ? { title_en: titleEn } : {}), environment: alert.labels.environment ?? '', severity: alert.severity,
        fingerprint: alert.fingerprint, rule: alert.rule, labels: alert.labels, since: alert.since, value: alert.value, threshold: alert.threshold, escalation,
      });
      return this.get(number);
    });
  }

  alertResolved(alert: Alert): Promise<Ticket | undefined> {
    return this.serial(async () => {
      const ticket = this.openFor(alert.fingerprint);
      // Only the newest episode's end is news; an older one's must not mark a firing alert recovered.
      if (!ticket || !ticket.alertFiring || ticket.alertEpisodes.at(-1) !== alert.since) return ticket;
      await this.append(ticket.number, 'alert_resolved', SYSTEM, { since: alert.since, value: alert.value, resolved_at: alert.changedAt });
      return ticket;
    });
  }

  /** The firing alert's series went silent: noted once (not a recovery; the ticket's alert stays firing). */
  alertNoData(alert: Alert): Promise<Ticket | undefined> {
    return this.serial(async () => {
      const ticket = this.openFor(alert.fingerprint);
      if (!ticket || !ticket.alertFiring || ticket.alertSilent || ticket.alertEpisodes.at(-1) !== alert.since) return ticket;
      await this.append(ticket.number, 'alert_nodata', SYSTEM, { since: alert.since, value: alert.value, threshold: alert.threshold, silent_since: alert.changedAt });
      return ticket;
    });
  }

  openManual(input: ManualTicket, actor: Actor): Promise<Ticket> {
    return this.serial(async () => {
      const number = this.nextNumber();
      const { reportedBy, ...fields } = input; // stored once, under the event's snake_case name
      await this.append(number, 'opened', actor, { ...fields, description: input.description ?? '', severity: input.severity ?? 'warning', source: 'manual', reported_by: reportedBy });
      return this.get(number);
    });
  }

  acknowledge(number: string, actor: Actor, note?: string): Promise<Ticket> {
    return this.serial(async () => {
      const ticket = this.get(number);
      if (ticket.status !== 'open') throw new AppError(409, 'already_acknowledged', `${number} is already ${ticket.status}${ticket.acknowledgedBy ? ` (acknowledged by ${ticket.acknowledgedBy})` : ''}`);
      await this.append(number, 'status_changed', actor, { from: 'open', to: 'acknowledged', note });
      return ticket;
    });
  }

  setStatus(number: string, to: Status, actor: Actor, note?: string): Promise<Ticket> {
    return this.serial(async () => {
      const ticket = this.get(number);
      if (to === 'closed') throw badRequest('use_close', 'close a ticket with POST /api/v1/tickets/{number}/close and its report', [{ field: 'status', reason: 'closed needs the report' }]);
      if (!canMove(ticket.status, to)) throw new AppError(409, 'invalid_transition', `${number} cannot move from ${ticket.status} to ${to}`, [{ field: 'status', reason: `not allowed from ${ticket.status}` }]);
      await this.append(number, 'status_changed', actor, { from: ticket.status, to, note });
      return ticket;
    });
  }

  updateReport(number: string, fields: { report?: Record<string, string | undefined>; root_cause_category?: string; warranty_defect?: string }, actor: Actor): Promise<Ticket> {
    return this.serial(async () => {
      const ticket = this.get(number);
      if (ticket.status === 'closed') throw new AppError(409, 'closed', `${number} is closed; its report can no longer change`);
      await this.append(number, 'report_updated', actor, fields);
      return ticket;
    });
  }

  /** Closing needs the report (item 5), root cause and warranty decision (item 12); 400 lists every missing field. */
  close(number: string, fields: { report?: Record<string, string | undefined>; root_cause_category?: string; warranty_defect?: string }, actor: Actor): Promise<Ticket> {
    return this.serial(async () => {
      const ticket = this.get(number);
      if (ticket.status === 'closed') throw new AppError(409, 'closed', `${number} is already closed`);
      const preview = structuredClone({ ...ticket, events: [] });
      applyEvent(preview, { ticket: number, seq: 0, at: 0, type: 'report_updated', actor: '', actorRole: '', data: fields });
      const missing = missingForClose(preview);
      if (missing.length) throw badRequest('report_incomplete', `${number} cannot be closed without: ${missing.join(', ')}`, missing.map((field) => ({ field, reason: 'required to close' })));
      if (Object.keys(fields).length) await this.append(number, 'report_updated', actor, fields);
      await this.append(number, 'status_changed', actor, { from: ticket.status, to: 'closed' });
      return ticket;
    });
  }

  note(number: string, text: string, actor: Actor): Promise<Ticket> {
    return this.serial(async () => {
      this.get(number);
      await this.append(number, 'note', actor, { text });
      return this.get(number);
    });
  }

  /** Records an event that another capability decides on (escalation steps, workaround phases). */
  /** `proceed` runs under the ledger's lock and may throw (refuse) or return false (skip quietly). */
  record(number: string, type: 'escalated' | 'workaround', actor: Actor, data: Record<string, unknown>, proceed: (t: Ticket) => boolean = () => true): Promise<Ticket | undefined> {
    return this.serial(async () => {
      if (!proceed(this.get(number))) return undefined;
      await this.append(number, type, actor, data);
      return this.get(number);
    });
  }

  /**
   * Runs `work` while no ledger change can happen (an acknowledgement waits
   * for it). `work` must not call other Ledger methods: they would wait for it.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.serial(work);
  }

  private async append(number: string, type: string, actor: Actor, data: Record<string, unknown>): Promise<void> {
    const at = this.now();
    const seq = (this.tickets.get(number)?.events.length ?? 0) + 1;
    const event: TicketEvent = { ticket: number, seq, at, type, actor: actor.name, actorRole: actor.role, data: JSON.parse(JSON.stringify(data)) };
    await this.storage.insertRows('ticket_events', [{ at: dateTimeText(at), ticket: number, seq, type, actor: actor.name, actor_role: actor.role, data: JSON.stringify(event.data) }], randomUUID());
    this.fold(event);
    this.onChange(this.get(number), event);
  }

  private fold(event: TicketEvent): void {
    const ticket = applyEvent(this.tickets.get(event.ticket), event);
    this.tickets.set(event.ticket, ticket);
    if (event.type === 'opened' && ticket.fingerprint) this.byFingerprint.set(ticket.fingerprint, ticket);
    const [, year, n] = /^[A-Z]+-(\d{4})-(\d+)$/.exec(event.ticket) ?? [];
    if (year) this.lastNumber.set(year, Math.max(this.lastNumber.get(year) ?? 0, Number(n)));
  }

  private nextNumber(): string {
    const year = new Intl.DateTimeFormat('en', { timeZone: this.timezone, year: 'numeric' }).format(this.now());
    const n = (this.lastNumber.get(year) ?? 0) + 1;
    this.lastNumber.set(year, n);
    return `INC-${year}-${String(n).padStart(4, '0')}`;
  }

}
