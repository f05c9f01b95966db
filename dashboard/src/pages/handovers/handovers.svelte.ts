import { get, post } from '../../lib/api.ts';
import { attempt, describeProblems } from '../../lib/problems.ts';
import type { Handover, HandoverDraft } from './types.ts';

/**
 * The ledger of confidential-data hand-overs, newest first as the server
 * keeps it; recording one and its return, after which the list is read
 * again. A step answers its problems ([] when the server accepted it).
 */
export class HandoverBook {
  handovers = $state<Handover[]>([]);
  problems = $state<string[]>([]);
  loading = $state(true);
  readonly outstanding = $derived(this.handovers.filter((h) => !h.returned_on).length);

  constructor(private readonly timezone: () => string) {}

  async load(): Promise<void> {
    try {
      this.handovers = (await get<{ handovers: Handover[] }>('/api/v1/handovers')).handovers;
      this.problems = [];
    } catch (error) {
      this.problems = describeProblems(error, this.timezone());
    } finally {
      this.loading = false;
    }
  }

  record = (draft: HandoverDraft) => {
    const { note, ...rest } = draft;
    const trimmed = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, v.trim()]));
    return this.step(() => post('/api/v1/handovers', { ...trimmed, ...(note.trim() ? { note: note.trim() } : {}) }));
  };
  returned = (id: string, returnedOn: string, note: string) => this.step(() => post(`/api/v1/handovers/${encodeURIComponent(id)}/returned`, { returned_on: returnedOn, ...(note.trim() ? { note: note.trim() } : {}) }));

  private async step(work: () => Promise<unknown>): Promise<string[]> {
    const problems = await attempt(work, this.timezone());
    await this.load(); // accepted or not, show what the server has now
    return problems;
  }
}
