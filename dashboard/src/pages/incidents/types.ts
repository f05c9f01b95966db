// A ticket as GET /api/v1/tickets/:number returns it (server/ledger/model.ts + routes.ts).
export interface TicketEvent { seq: number; at: number; type: string; actor: string; actorRole: string; data: Record<string, unknown> }

export interface TicketView {
  number: string;
  type: string;
  title: string;
  /** Alert tickets: the rule's English title. */
  titleEn?: string;
  description: string;
  environment: string;
  severity: string;
  status: string;
  openedAt: number;
  reportedBy?: string;
  channel?: string;
  acknowledgedAt?: number;
  acknowledgedBy?: string;
  labels?: Record<string, string>;
  report: Record<string, string | undefined>;
  rootCauseCategory?: string;
  warrantyDefect?: string;
  alertFiring: boolean;
  mtta_ms: number | null;
  mttr_ms: number | null;
  next_escalation: { step: number; dueAt: number; recipient: string; channel: string } | null;
  suggested_workaround: { id: string; version: { version: number; title: string; steps: string[] } } | null;
  events?: TicketEvent[];
}

/** The title in the reader's language where the ticket has one (alert tickets carry both). */
export const titleIn = (ticket: Pick<TicketView, 'title' | 'titleEn'>, lang: string) => (lang === 'en' && ticket.titleEn ? ticket.titleEn : ticket.title);
