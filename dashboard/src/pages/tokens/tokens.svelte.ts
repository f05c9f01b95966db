import { del, get, post } from '../../lib/api.ts';
import { attempt, describeProblems } from '../../lib/problems.ts';
import type { CreateTokenBody, CreatedToken, TokenRow } from './types.ts';

/**
 * The tokens a person may see (an administrator: all; anyone else: their
 * own personal ones), the one just created (held only until dismissed: the
 * server never shows it again) and every change, after which the list is
 * read again.
 */
export class TokenDesk {
  tokens = $state<TokenRow[]>([]);
  problems = $state<string[]>([]);
  created = $state<CreatedToken | undefined>();
  /** Whom an administrator may make a personal token for. */
  owners = $state<string[]>([]);

  constructor(
    private readonly timezone: () => string,
    private readonly isAdmin: () => boolean,
  ) {}

  async load(): Promise<void> {
    try {
      this.tokens = (await get<{ tokens: TokenRow[] }>('/api/v1/tokens')).tokens;
    } catch (error) {
      this.problems = describeProblems(error, this.timezone());
    }
    // Only to offer owners: without the list (e.g. outside http.admin_allow) the administrator's own id is offered.
    if (this.isAdmin() && !this.owners.length) {
      this.owners = await get<{ users: { id: string; enabled: boolean }[] }>('/api/v1/users').then((a) => a.users.filter((u) => u.enabled).map((u) => u.id), () => []);
    }
  }

  /** True when the server made the token; `created` then holds it until `dismiss`. */
  create = (body: CreateTokenBody) => this.change(async () => (this.created = await post<CreatedToken>('/api/v1/tokens', body)));
  revoke = (id: string) => this.change(() => del(`/api/v1/tokens/${encodeURIComponent(id)}`));
  dismiss = () => (this.created = undefined);

  private async change(work: () => Promise<unknown>): Promise<boolean> {
    this.problems = await attempt(work, this.timezone());
    const accepted = this.problems.length === 0;
    await this.load(); // accepted or not, show what the server has now
    return accepted;
  }
}
