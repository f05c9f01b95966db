import type { Storage } from '../storage/client.ts';
import { patternCounts, type Catalogue } from '../patterns/queries.ts';
import type { Ticket } from '../ledger/model.ts';

/** How far before and after a ticket's detection its evidence is looked for. */
export const AROUND_MS = 30 * 60_000;
/** The levels whose patterns count as evidence of an incident. */
const LEVELS = ['error', 'fatal'];
/** A pattern counts when its rate around the detection is at least this many times its rate over the day before. */
const UNUSUAL_FACTOR = 2;
const BASELINE_MS = 24 * 3_600_000;
/** At most this many patterns per ticket, the loudest first: a cascade's tail says little. */
const MAX_PATTERNS = 20;

export interface AlertEvidence {
  fingerprint: string;
  rule: string;
}

export interface PatternEvidence {
  /** The pattern's current id (an id Drain generalised since resolves to its successor). */
  id: string;
  service: string;
  template: string;
  /** Lines around the detection. */
  count: number;
}

export interface Evidence {
  alerts: AlertEvidence[];
  patterns: PatternEvidence[];
}

/**
 * What was seen around a ticket's detection (its opening, ± AROUND_MS, not
 * beyond now): its own alert and the alerts that opened other tickets in
 * the same environment then, and the error patterns that were unusual then
 * (new, or at least UNUSUAL_FACTOR × their rate over the day before), so a
 * pattern that is always there does not tie every incident to every other.
 */
export async function gatherEvidence(storage: Storage, catalogue: Catalogue, tickets: readonly Ticket[], ticket: Ticket, now: number): Promise<Evidence> {
  const from = ticket.openedAt - AROUND_MS;
  const to = Math.min(now, ticket.openedAt + AROUND_MS);
  const alerts = new Map<string, AlertEvidence>();
  if (ticket.fingerprint) alerts.set(ticket.fingerprint, { fingerprint: ticket.fingerprint, rule: ticket.rule ?? '' });
  for (const t of tickets) {
    if (t.fingerprint && t.environment === ticket.environment && t.openedAt >= from && t.openedAt <= to && !alerts.has(t.fingerprint)) alerts.set(t.fingerprint, { fingerprint: t.fingerprint, rule: t.rule ?? '' });
  }
  return { alerts: [...alerts.values()], patterns: await unusualPatterns(storage, catalogue, ticket.environment, from, to) };
}

async function unusualPatterns(storage: Storage, catalogue: Catalogue, environment: string, from: number, to: number): Promise<PatternEvidence[]> {
  const counts = await patternCounts(storage, { environment, catalogue, levels: LEVELS, from, to, baselineMs: BASELINE_MS });
  const windowMs = Math.max(60_000, to - Math.floor(from / 60_000) * 60_000);
  return counts
    .filter((p) => p.before === 0 || p.count / windowMs >= (UNUSUAL_FACTOR * p.before) / BASELINE_MS)
    .sort((a, b) => b.count - a.count || a.pattern.localeCompare(b.pattern))
    .slice(0, MAX_PATTERNS)
    .map((p) => ({ id: p.pattern, service: p.service, template: p.template, count: p.count }));
}
