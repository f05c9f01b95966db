import { createHash } from 'node:crypto';
import type { Storage } from '../storage/client.ts';
import { dateTimeText, sql } from '../storage/sql.ts';
import { serialQueue } from '../shared/serial.ts';
import { patternCatalogue } from '../patterns/queries.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { WorkaroundCatalogue } from '../ledger/workarounds.ts';
import type { Ticket } from '../ledger/model.ts';
import { gatherEvidence, type Evidence } from './evidence.ts';
import { rankSuggestions, type IncidentLink, type Suggestion, type TicketSummary } from './suggest.ts';

/** A workaround an earlier ticket used, as it stands in this catalogue now: offered for application only when approved. */
export interface OfferedWorkaround {
  id: string;
  /** The version the earlier ticket executed. */
  applied_version: number;
  title: string;
  /** The newest approved version, offered for application; absent when none is approved now. */
  approved_version?: number;
  offer: boolean;
  /** Why it is not offered: `not_approved` (draft or revoked) or `unknown` (not in this catalogue, e.g. after a hand-over). */
  reason?: 'not_approved' | 'unknown';
}

export type RankedSuggestion = Suggestion & { workarounds: OfferedWorkaround[] };

const summaryOf = (t: Ticket): TicketSummary => ({
  title: t.title,
  ...(t.titleEn ? { title_en: t.titleEn } : {}),
  ...(t.rootCauseCategory ? { root_cause_category: t.rootCauseCategory } : {}),
  ...(t.report.cause ? { cause: t.report.cause } : {}),
  ...(t.report.interim_fix ? { interim_fix: t.report.interim_fix } : {}),
  ...(t.report.permanent_fix ? { permanent_fix: t.report.permanent_fix } : {}),
  workarounds: t.workarounds.filter((w) => w.phase === 'executed').map((w) => ({ id: w.id, version: w.version })),
  opened_at: t.openedAt,
  closed_at: t.closedAt ?? 0,
});

/**
 * Known incidents (item 6): a closed ticket is linked to what was seen
 * around its detection, and a ticket is offered the earlier ones that look
 * like it, with their root cause and the workarounds that are approved
 * now. Links are written once per ticket (`incident_links`, append-only,
 * deduplicated by the ticket); a close whose links were not written (a
 * crash in between) is linked at the next start.
 */
export class KnownIncidents {
  private links: IncidentLink[] = [];
  private readonly linked = new Set<string>();
  private readonly serial = serialQueue();

  private constructor(
    private readonly storage: Storage,
    private readonly ledger: Ledger,
    private readonly workarounds: WorkaroundCatalogue,
    private readonly now: () => number,
  ) {}

  static async open(storage: Storage, ledger: Ledger, workarounds: WorkaroundCatalogue, now: () => number, log: (msg: string, error: unknown) => void = () => undefined): Promise<KnownIncidents> {
    const known = new KnownIncidents(storage, ledger, workarounds, now);
    const rows = await storage.query<Omit<IncidentLink, 'summary' | 'linked_at'> & { summary: string; linked_at: number }>(sql`
      SELECT origin, ticket, environment, kind, key, service, label, count, summary, toUnixTimestamp64Milli(linked_at) AS linked_at, linked_by
      FROM incident_links FINAL ORDER BY origin, ticket, kind, key`);
    known.remember(rows.map((r) => ({ ...r, count: Number(r.count), linked_at: Number(r.linked_at), summary: JSON.parse(r.summary) as TicketSummary })));
    // Told of every ledger change; the previous listener (if any) still hears it.
    const previous = ledger.onChange;
    ledger.onChange = (ticket, event) => {
      previous(ticket, event);
      if (event.type === 'status_changed' && ticket.status === 'closed') void known.link(ticket, event.actor).catch((error) => log('linking a closed ticket to its evidence failed; it is retried at the next start', error));
    };
    return known;
  }

  /** Links every closed ticket not linked yet (a close interrupted before its links were written). */
  async reconcile(): Promise<number> {
    const missing = this.ledger.list().filter((t) => t.status === 'closed' && !this.linked.has(t.number));
    for (const t of missing) await this.link(t, t.closedBy ?? 'mimamori');
    return missing.length;
  }

  /** Links a closed ticket to the alerts and unusual error patterns around its detection. */
  link(ticket: Ticket, by: string): Promise<void> {
    return this.serial(async () => {
      if (this.linked.has(ticket.number)) return;
      const evidence = await gatherEvidence(this.storage, await patternCatalogue(this.storage, ticket.environment), this.ledger.list(), ticket, this.now());
      const base = { origin: '', ticket: ticket.number, environment: ticket.environment, summary: summaryOf(ticket), linked_at: this.now(), linked_by: by };
      const rows: IncidentLink[] = [
        { ...base, kind: 'closed', key: '', service: '', label: '', count: 0 },
        ...evidence.alerts.map((a) => ({ ...base, kind: 'alert' as const, key: a.fingerprint, service: '', label: a.rule, count: 1 })),
        ...evidence.patterns.map((p) => ({ ...base, kind: 'pattern' as const, key: p.id, service: p.service, label: p.template, count: p.count })),
      ];
      await this.write(rows, `incident-links-${ticket.number}`);
    });
  }

  /** Earlier tickets that look like this one, best first, with the reason and the workarounds approved now. */
  async suggestionsFor(number: string): Promise<{ ticket: string; evidence: Evidence; suggestions: RankedSuggestion[] }> {
    const ticket = this.ledger.get(number);
    // One catalogue for both sides: what is seen now, and the ids the earlier tickets were linked under.
    const catalogue = await patternCatalogue(this.storage, ticket.environment);
    const evidence = await gatherEvidence(this.storage, catalogue, this.ledger.list(), ticket, this.now());
    const ranked = rankSuggestions({ number, environment: ticket.environment, evidence }, this.links, catalogue.resolve);
    return { ticket: number, evidence, suggestions: ranked.map((s) => ({ ...s, workarounds: this.offered(s.summary) })) };
  }

  /** Every link, for the learned state's export. */
  all(): readonly IncidentLink[] {
    return this.links;
  }

  /**
   * Links from another instance's learned state, as `origin` says (their
   * ticket numbers belong to that ledger); links already here from the same
   * origin are kept as they are. Returns the rows added.
   */
  import(links: readonly IncidentLink[], origin: string): Promise<number> {
    return this.serial(async () => {
      const have = new Set(this.links.map((l) => `${l.origin}\u0000${l.ticket}`));
      const fresh = links.map((l) => (l.origin ? l : { ...l, origin })).filter((l) => !have.has(`${l.origin}\u0000${l.ticket}`));
      // The token names the rows themselves: two origins number their tickets alike.
      if (fresh.length) await this.write(fresh, `incident-links-import-${createHash('sha256').update(JSON.stringify(fresh)).digest('hex')}`);
      return fresh.length;
    });
  }

  private offered(summary: TicketSummary): OfferedWorkaround[] {
    return summary.workarounds.map(({ id, version }) => {
      const item = this.workarounds.list().find((w) => w.id === id);
      if (!item) return { id, applied_version: version, title: '', offer: false, reason: 'unknown' as const };
      const approved = item.versions.filter((v) => v.approval === 'approved').at(-1);
      const title = (approved ?? item.versions[version - 1] ?? item.versions.at(-1))?.title ?? '';
      return approved ? { id, applied_version: version, title, approved_version: approved.version, offer: true } : { id, applied_version: version, title, offer: false, reason: 'not_approved' as const };
    });
  }

  private async write(rows: IncidentLink[], token: string): Promise<void> {
    await this.storage.insertRows('incident_links', rows.map((r) => ({ ...r, summary: JSON.stringify(r.summary), linked_at: dateTimeText(r.linked_at) })), token);
    this.remember(rows);
  }

  private remember(rows: readonly IncidentLink[]): void {
    this.links = [...this.links, ...rows];
    for (const r of rows) if (r.origin === '') this.linked.add(r.ticket);
  }
}
