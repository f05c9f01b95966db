import type { Storage } from '../storage/client.ts';
import { sql } from '../storage/sql.ts';
import type { Deliveries } from '../notify/deliveries.ts';
import type { Recipient } from '../notify/types.ts';
import type { User, UserDirectory } from './users.ts';

/** Accounts unused this long are listed for review: never signed in counts from creation. */
export function unusedAccounts(users: User[], reviewAfterMs: number, now: number): User[] {
  return users.filter((u) => u.enabled && !u.deleted && now - (u.lastLoginAt || u.createdAt) > reviewAfterMs);
}

const monthOf = (ms: number, timezone: string) => new Intl.DateTimeFormat('sv-SE', { timeZone: timezone, year: 'numeric', month: '2-digit' }).format(ms);

/**
 * Item 15: once a month every administrator with an e-mail address is sent
 * the accounts nobody has used for `review_unused_after`, so leavers'
 * accounts do not linger. The notification log says whether this month's
 * mail went out, so a restart does not send it twice.
 */
export class AccountReview {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: { users: UserDirectory; deliveries: Deliveries; storage: Storage; reviewAfterMs: number; timezone: string; publicUrl: string; now: () => number },
  ) {}

  /** Sends this month's mail if it is due and has not gone out; returns how many admins it was queued for. */
  async runDue(): Promise<number> {
    const { users, deliveries, storage, reviewAfterMs, timezone, now } = this.deps;
    const month = monthOf(now(), timezone);
    const group = `account-review:${month}`;
    const [sent] = await storage.query<{ n: number }>(sql`SELECT count() AS n FROM notifications WHERE group_key = ${group}`);
    if (Number(sent?.n ?? 0) > 0) return 0;
    const all = await users.list();
    const unused = unusedAccounts(all, reviewAfterMs, now());
    if (unused.length === 0) return 0;
    const admins = all.filter((u) => u.role === 'admin' && u.enabled && u.email);
    for (const admin of admins) {
      const recipient: Recipient = { name: `user:${admin.id}`, email: [admin.email], language: admin.language };
      await deliveries.enqueue({ purpose: 'account-review', channel: 'email', recipient, groupKey: group, alertKeys: [`${group}:${admin.id}`], ticket: '', message: this.message(month, unused, admin.language) });
    }
    return admins.length;
  }

  start(): void {
    const tick = () => void this.runDue().catch(() => undefined);
    this.timer = setInterval(tick, 3_600_000);
    this.timer.unref();
    tick();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private message(month: string, unused: User[], language: 'ja' | 'en') {
    const days = Math.round(this.deps.reviewAfterMs / 86_400_000);
    const line = (u: User) => `- ${u.id} (${u.displayName}, ${u.role}): ${u.lastLoginAt ? `${language === 'ja' ? '最終サインイン' : 'last sign-in'} ${new Date(u.lastLoginAt).toISOString().slice(0, 10)}` : language === 'ja' ? 'サインインなし' : 'never signed in'}`;
    const subject = language === 'ja' ? `[Mimamori] ${month} 未使用アカウントの確認 (${unused.length} 件)` : `[Mimamori] ${month} accounts to review (${unused.length})`;
    const intro = language === 'ja'
      ? `${days} 日以上使われていないアカウントです。退職・異動した方のものは無効化してください（項目 15）。`
      : `These accounts have not been used for ${days} days or more. Disable those of people who left (item 15).`;
    const text = `${intro}\n\n${unused.map(line).join('\n')}\n\n${this.deps.publicUrl}/users\n`;
    return { subject, text, json: { month, accounts: unused.map((u) => u.id) } };
  }
}
