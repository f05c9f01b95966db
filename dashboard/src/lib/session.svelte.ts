import type { Static } from 'typebox';
import type { SessionView } from '../../../server/auth/schemas.ts';
import { ApiError, credentials, del, get, post } from './api.ts';
import { setLang } from './i18n.svelte.ts';
import { reaches, type RoleName } from './roles.ts';

export type SessionAnswer = Static<typeof SessionView>;
export type SessionUser = SessionAnswer['user'];

/**
 * Who is signed in in this tab. The session itself is the server's HttpOnly
 * cookie; this keeps what the pages show (name, role, the pending password
 * change) and hands the session's CSRF token to every change.
 */
export class Session {
  user = $state<SessionUser | null>(null);
  /** False until the server first said whether this browser is signed in. */
  known = $state(false);
  readonly isAdmin = $derived(this.user?.role === 'admin');

  /** Whether the signed-in person's role reaches `minimum`: what pages and links to offer (the server checks again on every call). */
  may(minimum: RoleName): boolean {
    return reaches(this.user?.role, minimum);
  }

  /** Asks the server who the cookie belongs to: false when nobody (`user: null`, or 401). */
  async refresh(): Promise<boolean> {
    try {
      const answer = await get<SessionAnswer | { user: null }>('/api/v1/session');
      if (!answer.user) {
        this.forget();
        return false;
      }
      this.adopt(answer as SessionAnswer);
      return true;
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) throw error;
      this.forget();
      return false;
    } finally {
      this.known = true;
    }
  }

  /** Signs in; the pages then speak the account's own language. */
  async signIn(id: string, password: string): Promise<void> {
    const answer = await post<SessionAnswer>('/api/v1/session', { id, password });
    this.adopt(answer);
    setLang(answer.user.language === 'en' ? 'en' : 'ja');
  }

  async signOut(): Promise<void> {
    try {
      await del('/api/v1/session');
    } finally {
      this.forget();
    }
  }

  /** The server ends every session of the user and answers a fresh one (new cookie, new CSRF token). */
  async changePassword(current: string, password: string): Promise<void> {
    this.adopt(await post<SessionAnswer>('/api/v1/session/password', { current_password: current, password }));
  }

  /** A session answer from sign-in, first-run setup or a password change. */
  adopt(answer: SessionAnswer): void {
    this.user = answer.user;
    this.known = true;
    credentials.csrfToken = answer.csrf_token;
  }

  private forget(): void {
    this.user = null;
    credentials.csrfToken = '';
  }
}

export const session = new Session();
