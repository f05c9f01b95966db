import type { Labels } from '../rules/types.ts';

export const TICKET_TYPES = ['incident', 'inquiry', 'security'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];
export const STATUSES = ['open', 'acknowledged', 'investigating', 'workaround_applied', 'resolved', 'closed'] as const;
export type Status = (typeof STATUSES)[number];
export const ROOT_CAUSES = ['application', 'infrastructure', 'network', 'configuration', 'capacity', 'external', 'operation', 'security', 'unknown'] as const;
export const WARRANTY = ['defect_under_warranty', 'not_a_warranty_defect', 'undecided'] as const;

/** The five report fields of item 5, then the two a security incident adds (item 20). */
export const REPORT_FIELDS = ['event', 'cause', 'impact', 'interim_fix', 'permanent_fix'] as const;
export const SECURITY_FIELDS = ['spread_prevention', 'recurrence_prevention'] as const;
export type ReportField = (typeof REPORT_FIELDS)[number] | (typeof SECURITY_FIELDS)[number];

export interface TicketEvent {
  ticket: string;
  seq: number;
  at: number;
  type: string;
  actor: string;
  actorRole: string;
  data: Record<string, unknown>;
}

export interface Ticket {
  number: string;
  type: TicketType;
  title: string;
  /** An alert ticket's title in English (the rule's English title); `title` is Japanese. */
  titleEn?: string;
  description: string;
  environment: string;
  severity: string;
  status: Status;
  source: 'alert' | 'manual';
  openedAt: number;
  openedBy: string;
  /** For a ticket opened by hand: who raised it and how it arrived (item 4). */
  reportedBy?: string;
  channel?: string;
  fingerprint?: string;
  rule?: string;
  labels?: Labels;
  escalation?: string;
  acknowledgedAt?: number;
  acknowledgedBy?: string;
  resolvedAt?: number;
  closedAt?: number;
  closedBy?: string;
  report: Partial<Record<ReportField, string>>;
  rootCauseCategory?: string;
  warrantyDefect?: string;
  /** Escalation steps already fired (0-based). */
  escalated: number[];
  /** Alert episodes (`since`) seen on this ticket, and whether the alert is firing now. */
  alertEpisodes: number[];
  alertFiring: boolean;
  /** The firing alert's series stopped reporting (no data; not recovered). */
  alertSilent: boolean;
  workarounds: { id: string; version: number; phase: string; at: number; actor: string }[];
  events: TicketEvent[];
}

/** Applies one event to a ticket: the only place ticket state changes, used on load and on append. */
export function applyEvent(ticket: Ticket | undefined, e: TicketEvent): Ticket {
  const d = e.data;
  if (e.type === 'opened') {
    return {
      number: e.ticket, type: d.type as TicketType, title: String(d.title), description: String(d.description ?? ''), environment: String(d.environment), severity: String(d.severity),
      status: 'open', source: d.source as Ticket['source'], openedAt: e.at, openedBy: e.actor, fingerprint: d.fingerprint as string | undefined, rule: d.rule as string | undefined,
      labels: d.labels as Labels | undefined, escalation: d.escalation as string | undefined, report: {}, escalated: [], alertEpisodes: d.since ? [Number(d.since)] : [], alertFiring: d.source === 'alert', alertSilent: false,
      workarounds: [], events: [e],
      ...(d.title_en ? { titleEn: String(d.title_en) } : {}),
      ...(d.reported_by ? { reportedBy: String(d.reported_by) } : {}), ...(d.channel ? { channel: String(d.channel) } : {}),
    };
  }
  if (!ticket) throw new Error(`event ${e.type} for unknown ticket ${e.ticket}`);
  ticket.events.push(e);
  switch (e.type) {
    case 'alert_fired':
      ticket.alertFiring = true;
      ticket.alertSilent = false;
      if (!ticket.alertEpisodes.includes(Number(d.since))) ticket.alertEpisodes.push(Number(d.since));
      break;
    case 'alert_resolved':
      ticket.alertFiring = false;
      ticket.alertSilent = false;
      break;
    case 'alert_nodata':
      ticket.alertSilent = true;
      break;
    case 'status_changed':
      ticket.status = d.to as Status;
      if (ticket.status !== 'open' && ticket.acknowledgedAt === undefined) Object.assign(ticket, { acknowledgedAt: e.at, acknowledgedBy: e.actor });
      if (ticket.status === 'resolved') ticket.resolvedAt = e.at;
      if (ticket.status === 'closed') Object.assign(ticket, { closedAt: e.at, closedBy: e.actor });
      break;
    case 'report_updated':
      Object.assign(ticket.report, d.report);
      if (d.root_cause_category !== undefined) ticket.rootCauseCategory = String(d.root_cause_category);
      if (d.warranty_defect !== undefined) ticket.warrantyDefect = String(d.warranty_defect);
      break;
    case 'escalated':
      ticket.escalated.push(Number(d.step));
      break;
    case 'workaround':
      ticket.workarounds.push({ id: String(d.workaround), version: Number(d.version), phase: String(d.phase), at: e.at, actor: e.actor });
      break;
  }
  return ticket;
}

/** Time to acknowledge and to resolve, in ms, derived from the events. */
export function timings(t: Ticket): { mtta_ms: number | null; mttr_ms: number | null } {
  return { mtta_ms: t.acknowledgedAt === undefined ? null : t.acknowledgedAt - t.openedAt, mttr_ms: t.resolvedAt === undefined ? null : t.resolvedAt - t.openedAt };
}

/** Report fields still empty that closing this ticket needs. */
export function missingForClose(t: Ticket): string[] {
  const fields: string[] = [...REPORT_FIELDS, ...(t.type === 'security' ? SECURITY_FIELDS : [])];
  const missing = fields.filter((f) => !t.report[f as ReportField]?.trim());
  if (!t.rootCauseCategory) missing.push('root_cause_category');
  if (!t.warrantyDefect || t.warrantyDefect === 'undecided') missing.push('warranty_defect');
  return missing;
}

/** Allowed moves: forward along the flow, and back from resolved to investigating (reopened). Closed is final. */
export function canMove(from: Status, to: Status): boolean {
  if (from === 'closed' || from === to) return false;
  if (from === 'resolved' && to === 'investigating') return true;
  return STATUSES.indexOf(to) > STATUSES.indexOf(from);
}
