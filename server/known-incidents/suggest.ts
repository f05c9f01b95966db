import type { Evidence } from './evidence.ts';

/** What a closed ticket left behind for later ones: enough to explain a suggestion without the ledger it came from. */
export interface TicketSummary {
  title: string;
  title_en?: string;
  root_cause_category?: string;
  cause?: string;
  interim_fix?: string;
  permanent_fix?: string;
  /** Workarounds executed on it (id and version). */
  workarounds: { id: string; version: number }[];
  opened_at: number;
  closed_at: number;
}

/** One row of `incident_links`: an alert or a pattern seen around a closed ticket's detection, or its `closed` marker. */
export interface IncidentLink {
  /** '' for this instance's tickets; else the learned state they came from (their numbers belong to another ledger). */
  origin: string;
  ticket: string;
  environment: string;
  kind: 'alert' | 'pattern' | 'closed';
  /** The alert fingerprint or the pattern id (as it was at linking; resolved through the alias map on matching). */
  key: string;
  service: string;
  /** The rule name or the pattern's template. */
  label: string;
  count: number;
  summary: TicketSummary;
  linked_at: number;
  linked_by: string;
}

export type Reason =
  | { kind: 'alert'; fingerprint: string; rule: string; tickets: number; of: number }
  | { kind: 'pattern'; id: string; service: string; template: string; count_then: number; count_now: number; tickets: number; of: number };

export interface Suggestion {
  origin: string;
  ticket: string;
  summary: TicketSummary;
  /** 0–2: 1 for a matching alert, plus the share of the earlier ticket's pattern evidence seen now (weighted by rarity). */
  score: number;
  reasons: Reason[];
}

/**
 * Ranks earlier tickets against what is seen around a ticket now. An alert
 * fingerprint in common counts 1; patterns count by the share of the
 * earlier ticket's pattern evidence present now, each pattern weighted by
 * how rare it is among linked tickets (ln(1 + N / tickets with it), as a
 * search engine weighs words), so a pattern seen around every incident
 * says little. Ties go to the more recently closed ticket. Pattern ids are
 * compared after `resolve`, so an id Drain generalised since still matches.
 */
export function rankSuggestions(current: { number: string; environment: string; evidence: Evidence }, links: readonly IncidentLink[], resolve: (id: string) => string, limit = 5): Suggestion[] {
  const earlier = new Map<string, IncidentLink[]>();
  for (const l of links) {
    if ((l.origin === '' && l.ticket === current.number) || l.environment !== current.environment) continue;
    const k = `${l.origin}\u0000${l.ticket}`;
    earlier.set(k, [...(earlier.get(k) ?? []), l]);
  }
  const total = earlier.size;
  const ticketsWith = new Map<string, Set<string>>();
  const note = (key: string, ticket: string) => ticketsWith.set(key, (ticketsWith.get(key) ?? new Set()).add(ticket));
  for (const [ticket, rows] of earlier) for (const l of rows) if (l.kind !== 'closed') note(`${l.kind}:${l.kind === 'pattern' ? resolve(l.key) : l.key}`, ticket);
  const weight = (key: string) => Math.log(1 + total / Math.max(1, ticketsWith.get(key)?.size ?? 0));
  const nowAlerts = new Set(current.evidence.alerts.map((a) => a.fingerprint));
  const nowPatterns = new Map(current.evidence.patterns.map((p) => [resolve(p.id), p]));

  const suggestions: Suggestion[] = [];
  for (const rows of earlier.values()) {
    const reasons: Reason[] = [];
    let alertScore = 0;
    let patternWeight = 0;
    let matchedWeight = 0;
    for (const l of rows) {
      if (l.kind === 'alert' && nowAlerts.has(l.key)) {
        alertScore = 1;
        reasons.push({ kind: 'alert', fingerprint: l.key, rule: l.label, tickets: ticketsWith.get(`alert:${l.key}`)?.size ?? 0, of: total });
      } else if (l.kind === 'pattern') {
        const id = resolve(l.key);
        const w = weight(`pattern:${id}`);
        patternWeight += w;
        const seen = nowPatterns.get(id);
        if (seen) {
          matchedWeight += w;
          reasons.push({ kind: 'pattern', id, service: l.service, template: seen.template || l.label, count_then: l.count, count_now: seen.count, tickets: ticketsWith.get(`pattern:${id}`)?.size ?? 0, of: total });
        }
      }
    }
    const score = alertScore + (patternWeight > 0 ? matchedWeight / patternWeight : 0);
    if (score > 0) suggestions.push({ origin: rows[0]!.origin, ticket: rows[0]!.ticket, summary: rows[0]!.summary, score: Math.round(score * 1000) / 1000, reasons });
  }
  return suggestions.sort((a, b) => b.score - a.score || b.summary.closed_at - a.summary.closed_at).slice(0, limit);
}
