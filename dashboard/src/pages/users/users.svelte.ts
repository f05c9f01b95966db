import type { Static } from 'typebox';
import type { UserView } from '../../../../server/auth/schemas.ts';
import { del, get, patch, post } from '../../lib/api.ts';
import { attempt, describeProblems } from '../../lib/problems.ts';

export type UserRow = Static<typeof UserView>;

/**
 * The accounts an administrator manages: the list, and each change made
 * through the API, after which the list is read again (a disable or a new
 * role also ends the account's sessions on the server).
 */
export class UserAdmin {
  users = $state<UserRow[]>([]);
  problems = $state<string[]>([]);

  constructor(private readonly timezone: () => string) {}

  async load(): Promise<void> {
    try {
      this.users = (await get<{ users: UserRow[] }>('/api/v1/users')).users;
    } catch (error) {
      this.problems = describeProblems(error, this.timezone());
    }
  }

  /** True when the server accepted the change; otherwise `problems` says why. */
  async change(work: () => Promise<unknown>): Promise<boolean> {
    this.problems = await attempt(work, this.timezone());
    const accepted = this.problems.length === 0;
    await this.load(); // accepted or not, show what the server has now
    return accepted;
  }

  create = (body: Record<string, unknown>) => this.change(() => post('/api/v1/users', body));
  update = (id: string, body: Record<string, unknown>) => this.change(() => patch(`/api/v1/users/${encodeURIComponent(id)}`, body));
  setEnabled = (id: string, enabled: boolean) => this.change(() => post(`/api/v1/users/${encodeURIComponent(id)}/${enabled ? 'enable' : 'disable'}`));
  resetPassword = (id: string, password: string) => this.change(() => post(`/api/v1/users/${encodeURIComponent(id)}/reset-password`, { password }));
  remove = (id: string) => this.change(() => del(`/api/v1/users/${encodeURIComponent(id)}`));
}
