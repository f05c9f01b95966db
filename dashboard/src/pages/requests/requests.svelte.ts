import { get, post } from '../../lib/api.ts';
import { attempt, describeProblems } from '../../lib/problems.ts';
import { paramsOf } from './params.ts';
import type { OperationInfo, RequestDraft, RequestRow } from './types.ts';

/** A pending request past its decision time: the server treats it as expired from that moment, swept or not. */
export const effectiveState = (r: RequestRow, now = Date.now()) => (r.state === 'pending' && Date.parse(r.expires_at) < now ? 'expired' : r.state);

/**
 * Four-eyes requests as a person sees them: all of them, pending first (the
 * one expiring soonest on top), then the rest newest first; the operations
 * that may be asked for; and each step, after which the list is read again.
 * A step answers its problems ([] when the server accepted it), so each
 * form shows its own.
 */
export class RequestDesk {
  requests = $state<RequestRow[]>([]);
  operations = $state<OperationInfo[]>([]);
  problems = $state<string[]>([]);
  loading = $state(true);
  readonly ordered = $derived.by(() => {
    const pending = this.requests.filter((r) => effectiveState(r) === 'pending').sort((a, b) => a.expires_at.localeCompare(b.expires_at));
    return [...pending, ...this.requests.filter((r) => !pending.includes(r))];
  });

  constructor(private readonly timezone: () => string) {}

  operation(name: string): OperationInfo | undefined {
    return this.operations.find((o) => o.name === name);
  }

  async load(): Promise<void> {
    try {
      const [listed, operations] = await Promise.all([get<{ requests: RequestRow[] }>('/api/v1/requests'), this.operations.length ? undefined : get<{ operations: OperationInfo[] }>('/api/v1/operations')]);
      this.requests = listed.requests;
      if (operations) this.operations = operations.operations;
      this.problems = [];
    } catch (error) {
      this.problems = describeProblems(error, this.timezone());
    } finally {
      this.loading = false;
    }
  }

  /** Makes the request; answers its id, or the problems. */
  async create(draft: RequestDraft): Promise<{ id?: string; problems: string[] }> {
    let id: string | undefined;
    const problems = await this.step(async () => {
      const params = paramsOf(this.operation(draft.operation), draft.values, this.timezone());
      id = (await post<RequestRow>('/api/v1/requests', { operation: draft.operation, params, reason: draft.reason.trim() })).id;
    });
    return { id, problems };
  }

  approve = (id: string) => this.step(() => post(`/api/v1/requests/${encodeURIComponent(id)}/approve`));
  /** Rejects someone else's request (approver or admin), or withdraws one's own. */
  reject = (id: string, reason: string) => this.step(() => post(`/api/v1/requests/${encodeURIComponent(id)}/reject`, { reason }));

  private async step(work: () => Promise<unknown>): Promise<string[]> {
    const problems = await attempt(work, this.timezone());
    await this.load(); // accepted or not, show what the server has now
    return problems;
  }
}
