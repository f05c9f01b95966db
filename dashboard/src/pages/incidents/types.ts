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

/** GET /api/v1/tickets/:number/suggestions (server/known-incidents). */
export type SuggestionReason =
  | { kind: 'alert'; fingerprint: string; rule: string; tickets: number; of: number }
  | { kind: 'pattern'; id: string; service: string; template: string; count_then: number; count_now: number; tickets: number; of: number };
export interface KnownIncidentSuggestion {
  origin: string;
  ticket: string;
  score: number;
  summary: { title: string; title_en?: string; root_cause_category?: string; cause?: string; interim_fix?: string; permanent_fix?: string; opened_at: number; closed_at: number };
  reasons: SuggestionReason[];
  workarounds: { id: string; applied_version: number; title: string; approved_version?: number; offer: boolean; reason?: 'not_approved' | 'unknown' }[];
}
export interface SuggestionsView { ticket: string; suggestions: KnownIncidentSuggestion[] }
