import { AppError, badRequest } from '../http/errors.ts';
import type { AccountsSettings, Role } from './config.ts';
import { checkPassword } from './password-policy.ts';
import { decoyHash, hashPassword, needsRehash, verifyPassword } from './passwords.ts';
import type { Lockout } from './lockout.ts';
import type { SessionStore } from './sessions.ts';
import type { ChangeBy, User, UserDirectory } from './users.ts';
import type { Lang } from '../shared/language.ts';

export type { Lang };


export interface Profile {
  displayName: string;
  familyName?: string;
  givenName?: string;
  familyKana?: string;
  givenKana?: string;
  email?: string;
  language?: Lang;
}

const SIGN_IN_FAILED = { ja: 'ユーザー ID またはパスワードが違います', en: 'Wrong user ID or password' };

/**
 * Account rules in one place: every password set goes through the policy
 * and argon2id; disabling, deleting, a new role or a reset password ends
 * the user's sessions; sign-in counts failures and locks the account.
 */
export class Accounts {
  constructor(
    readonly users: UserDirectory,
    readonly sessions: SessionStore,
    private readonly lockout: Lockout,
    private readonly settings: AccountsSettings,
    private readonly now: () => number,
  ) {}

  /** Refuses a password that breaks the policy, naming every rule it breaks (400 password_policy). */
  async checkPolicy(password: string, owner: Profile & { id: string }, lang: Lang): Promise<void> {
    const problems = await checkPassword(password, owner, { organisationNames: this.settings.organisationNames, minScore: this.settings.passwordMinScore });
    if (problems.length === 0) return;
    throw badRequest('password_policy', problems.map((p) => p.message[lang]).join(lang === 'ja' ? '。' : '. '), problems.map((p) => ({ field: 'password', code: p.code, reason: p.message[lang], ...(p.name ? { name: p.name } : {}) })));
  }

  async create(id: string, profile: Profile, role: Role, password: string, by: ChangeBy, options: { lang: Lang; mustChangePassword: boolean }): Promise<User> {
    const existing = await this.users.get(id);
    if (existing) throw new AppError(409, 'user_exists', existing.deleted ? `the user ID ${id} belonged to a deleted account and is not reused` : `a user ${id} exists already`, [{ field: 'id', reason: 'taken' }]);
    await this.checkPolicy(password, { id, ...profile }, options.lang);
    const at = this.now();
    const user: User = {
      id, ...blankProfile(), ...(defined(profile) as Required<Profile>), language: profile.language ?? 'ja', role, enabled: true, deleted: false,
      mustChangePassword: options.mustChangePassword, passwordHash: await hashPassword(password), passwordSetAt: at, createdAt: at, lastLoginAt: 0,
    };
    return this.users.save(user, 'created', by, { role, must_change_password: options.mustChangePassword });
  }

  async update(id: string, changes: Partial<Profile> & { role?: Role }, by: ChangeBy): Promise<User> {
    const user = await this.existing(id);
    const next: User = { ...user, ...(defined(changes) as Partial<User>) };
    await this.users.save(next, 'updated', by, { fields: Object.keys(changes), ...(changes.role && changes.role !== user.role ? { role: { from: user.role, to: changes.role } } : {}) });
    if (changes.role && changes.role !== user.role) await this.sessions.endAllFor(id, 'role_changed');
    return next;
  }

  async setEnabled(id: string, enabled: boolean, by: ChangeBy): Promise<User> {
    const user = await this.existing(id);
    const next = { ...user, enabled };
    await this.users.save(next, enabled ? 'enabled' : 'disabled', by);
    if (!enabled) await this.sessions.endAllFor(id, 'disabled');
    return next;
  }

  async remove(id: string, by: ChangeBy): Promise<void> {
    const user = await this.existing(id);
    await this.users.remove(user, by);
    await this.sessions.endAllFor(id, 'deleted');
  }

  /** An administrator sets an initial password: it must be changed at the next sign-in. */
  async resetPassword(id: string, password: string, by: ChangeBy, lang: Lang): Promise<User> {
    const user = await this.existing(id);
    await this.checkPolicy(password, user, lang);
    const next = { ...user, passwordHash: await hashPassword(password), passwordSetAt: this.now(), mustChangePassword: true };
    await this.users.save(next, 'password_reset', by);
    await this.sessions.endAllFor(id, 'password_reset');
    return next;
  }

  /** The user's own change: needs the current password; every session of the user ends (the caller opens a new one). */
  async changeOwnPassword(id: string, current: string, password: string, lang: Lang): Promise<User> {
    const user = await this.existing(id);
    if (!(await verifyPassword(user.passwordHash, current))) throw new AppError(403, 'wrong_password', lang === 'ja' ? '現在のパスワードが違います' : 'The current password is wrong', [{ field: 'current_password', reason: 'wrong' }]);
    if (current === password) throw badRequest('password_policy', lang === 'ja' ? '新しいパスワードは現在のものと変えてください' : 'Choose a password different from the current one', [{ field: 'password', code: 'unchanged', reason: 'same as the current password' }]);
    await this.checkPolicy(password, user, lang);
    const next = { ...user, passwordHash: await hashPassword(password), passwordSetAt: this.now(), mustChangePassword: false };
    await this.users.save(next, 'password_set', { name: id, role: user.role });
    await this.sessions.endAllFor(id, 'password_changed');
    return next;
  }

  /** Checks the password, counts the attempt, and opens a session; throws 401 (same answer for unknown users) or 429 while locked. */
  async signIn(id: string, password: string, meta: { address: string; userAgent: string; lang: Lang }): Promise<{ user: User; token: string; expiresAt: number }> {
    const until = await this.lockout.lockedUntil(id);
    if (until) {
      const seconds = Math.ceil((until - this.now()) / 1000);
      const at = new Date(until).toISOString();
      throw new AppError(429, 'locked', meta.lang === 'ja' ? `サインインの失敗が続いたため、${seconds} 秒後（${at}）まで待ってから再試行してください` : `Too many failed sign-ins: try again in ${seconds} s (at ${at})`, [{ field: 'password', reason: 'locked', retry_at: at }], { 'retry-after': String(seconds) });
    }
    const user = await this.users.get(id);
    const usable = user && user.enabled && !user.deleted;
    const ok = await verifyPassword(usable ? user.passwordHash : await decoyHash(), password);
    if (!usable || !ok) {
      await this.lockout.record(id, meta.address, false, !user || user.deleted ? 'unknown_user' : !user.enabled ? 'disabled' : 'wrong_password');
      throw new AppError(401, 'sign_in_failed', SIGN_IN_FAILED[meta.lang], [{ field: 'password', reason: 'wrong user ID or password' }]);
    }
    await this.lockout.record(id, meta.address, true, 'ok');
    const hash = needsRehash(user.passwordHash) ? await hashPassword(password) : user.passwordHash;
    const signedIn = { ...user, passwordHash: hash, lastLoginAt: this.now() };
    await this.users.save(signedIn, 'signed_in', { name: id, role: user.role }, hash === user.passwordHash ? {} : { hash_upgraded: true });
    const session = await this.sessions.create(id, meta);
    return { user: signedIn, ...session };
  }

  private async existing(id: string): Promise<User> {
    const user = await this.users.get(id);
    if (!user || user.deleted) throw new AppError(404, 'not_found', `no user ${id}`, [{ field: 'id', reason: 'not found' }]);
    return user;
  }
}

const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

function blankProfile(): Required<Omit<Profile, 'language'>> {
  return { displayName: '', familyName: '', givenName: '', familyKana: '', givenKana: '', email: '' };
}
