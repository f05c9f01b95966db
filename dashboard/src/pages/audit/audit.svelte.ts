import { get, post, qs } from '../../lib/api.ts';
import { describeProblems } from '../../lib/problems.ts';
import { zonedToEpoch } from '../../lib/zoned-time.ts';
import { blankFilter, type AuditEntry, type AuditFilter, type VerifyResult } from './types.ts';

/** Entries fetched at a time; "load more" asks for the next ones. */
export const PAGE_SIZE = 100;
/** What the trail shows without dates, as the server does (30 days up to now). */
const DEFAULT_SPAN_MS = 30 * 86_400_000;

/**
 * The audit trail as an administrator reads it: the entries matching the
 * filter applied last, newest first, a page at a time; the chain's
 * verification; and the four-eyes request to export what is shown.
 */
export class AuditDesk {
  entries = $state<AuditEntry[]>([]);
  problems = $state<string[]>([]);
  loading = $state(false);
  /** True once a page came back short: nothing older matches. */
  exhausted = $state(false);
  /** The filter of the entries shown: what "load more" and the export continue from. */
  shown = $state<AuditFilter>(blankFilter());
  verification = $state<VerifyResult | undefined>();
  verifying = $state(false);
  /** Counts searches, so a page answered for an earlier filter is dropped. */
  private generation = 0;

  constructor(private readonly timezone: () => string) {}

  private epochOf(local: string): number | undefined {
    return local ? zonedToEpoch(local, this.timezone()) : undefined;
  }

  async search(filter: AuditFilter): Promise<void> {
    this.shown = { ...filter };
    this.entries = [];
    this.exhausted = false;
    this.generation++;
    await this.fetch(undefined);
  }

  /** The next page: the entries before the last one shown (by number, so none is skipped or repeated). */
  more(): Promise<void> {
    return this.fetch(this.entries.at(-1)?.seq);
  }

  private async fetch(before: number | undefined): Promise<void> {
    const generation = this.generation;
    this.loading = true;
    try {
      const { actor, action, result, role, from, to } = this.shown;
      const query = qs({ actor: actor.trim(), action: action.trim(), result, role, from: this.epochOf(from), to: this.epochOf(to), before, limit: PAGE_SIZE });
      const page = (await get<{ entries: AuditEntry[] }>(`/api/v1/audit${query}`)).entries;
      if (generation !== this.generation) return;
      this.entries = [...this.entries, ...page];
      this.exhausted = page.length < PAGE_SIZE;
      this.problems = [];
    } catch (error) {
      this.problems = describeProblems(error, this.timezone());
    } finally {
      this.loading = false;
    }
  }

  async verify(): Promise<void> {
    this.verifying = true;
    this.verification = undefined;
    try {
      this.verification = await get<VerifyResult>('/api/v1/audit/verify');
      this.problems = [];
    } catch (error) {
      this.problems = describeProblems(error, this.timezone());
    } finally {
      this.verifying = false;
    }
  }

  /**
   * Asks for the CSV of what is shown: export.audit takes the whole filter
   * (actor, action, result, role, time range; without dates, the 30 days the
   * page shows). Answers the request's id, or throws the server's refusal.
   */
  async requestExport(reason: string): Promise<string> {
    const { actor, action, result, role, from, to } = this.shown;
    const end = this.epochOf(to) ?? Date.now();
    const start = this.epochOf(from) ?? end - DEFAULT_SPAN_MS;
    const given = Object.entries({ actor: actor.trim(), action: action.trim(), result, role }).filter(([, v]) => v !== '');
    const params = { from: new Date(start).toISOString(), to: new Date(end).toISOString(), ...Object.fromEntries(given) };
    return (await post<{ id: string }>('/api/v1/requests', { operation: 'export.audit', params, reason })).id;
  }
}
