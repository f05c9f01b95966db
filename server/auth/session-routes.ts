import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../http/errors.ts';
import { pickLanguage } from '../shared/language.ts';
import { ChangePasswordBody, SessionView, SignInBody } from './schemas.ts';
import { SESSION_COOKIE, requireActor } from './actors.ts';
import { csrfToken } from './sessions.ts';
import type { Accounts } from './accounts.ts';
import type { AccountsSettings } from './config.ts';
import type { User } from './users.ts';

export interface SessionRoutesOptions {
  accounts: Accounts;
  settings: AccountsSettings;
  /** Secure cookies when people reach Mimamori over https. */
  secure: boolean;
}

const tags = ['accounts'];
/** Per source address, whatever account it tries (the account lockout counts per account). */
export const signInRate = (settings: AccountsSettings) => ({ max: settings.signInAttemptsPerMinute, timeWindow: 60_000 });

export const langOf = (request: FastifyRequest) => pickLanguage(undefined, request.headers['accept-language']);

/**
 * A sign-in from another site's page: browsers send Origin with every POST,
 * and ours must match the address the request came to. (Sign-in needs JSON
 * too, which a cross-site form cannot send without asking first.)
 */
export function refuseForeignOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin && new URL(origin).host !== request.headers.host) {
    throw new AppError(403, 'foreign_origin', 'this request came from another site', [{ field: 'origin', reason: `${origin} is not this server` }]);
  }
}

/** Sets the session cookie and answers who signed in, with the session's CSRF token. */
export function startSession(reply: FastifyReply, options: SessionRoutesOptions, user: Pick<User, 'id' | 'displayName' | 'role' | 'language' | 'mustChangePassword'>, session: { token: string; expiresAt: number }) {
  reply.setCookie(SESSION_COOKIE, session.token, { path: '/', httpOnly: true, sameSite: 'strict', secure: options.secure, maxAge: Math.floor(options.settings.sessionAbsoluteMs / 1000) });
  return sessionAnswer(user, session.token, session.expiresAt, options.settings);
}

function sessionAnswer(user: Pick<User, 'id' | 'displayName' | 'role' | 'language' | 'mustChangePassword'>, token: string, expiresAt: number, settings: AccountsSettings) {
  return {
    user: { id: user.id, display_name: user.displayName, role: user.role, language: user.language, must_change_password: user.mustChangePassword },
    csrf_token: csrfToken(token),
    expires_at: new Date(expiresAt).toISOString(),
    idle_timeout_s: Math.floor(settings.sessionIdleMs / 1000),
  };
}

/** Sign in, who am I, change my password, sign out. */
export async function sessionRoutes(fastify: FastifyInstance, options: SessionRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { accounts, settings } = options;

  app.post('/api/v1/session', { config: { rateLimit: signInRate(settings) }, schema: { tags, summary: 'Sign in: sets an HttpOnly session cookie', body: SignInBody, response: { 200: SessionView } } }, async (request, reply) => {
    refuseForeignOrigin(request);
    request.auditNote = { actor: request.body.id }; // a failed sign-in is recorded under the id it tried
    const { user, token, expiresAt } = await accounts.signIn(request.body.id, request.body.password, { address: request.ip, userAgent: request.headers['user-agent'] ?? '', lang: langOf(request) });
    request.actor = { name: user.id, role: user.role, via: 'session' };
    return startSession(reply, options, user, { token, expiresAt });
  });

  app.get('/api/v1/session', { schema: { tags, summary: 'Who is signed in, with the CSRF token for changes; `user: null` when nobody', response: { 200: Type.Union([SessionView, Type.Object({ user: Type.Null() })]) } } }, async (request) => {
    const actor = request.actor;
    if (!actor) return { user: null };
    if (!actor.session) throw new AppError(400, 'not_a_session', 'this request carries an API key, not a session', [{ field: 'authorization', reason: 'API key' }]);
    const { token, view } = actor.session;
    return sessionAnswer({ id: view.userId, displayName: view.displayName, role: view.role, language: view.language, mustChangePassword: view.mustChangePassword }, token, view.expiresAt, settings);
  });

  app.delete('/api/v1/session', { schema: { tags, summary: 'Sign out' } }, async (request, reply) => {
    const actor = request.actor;
    if (actor?.session) await accounts.sessions.end(actor.session.token, 'signed_out');
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.post('/api/v1/session/password', { config: { access: 'viewer' }, schema: { tags, summary: 'Change my own password (needs the current one); opens a fresh session', body: ChangePasswordBody, response: { 200: SessionView } } }, async (request, reply) => {
    const actor = requireActor(request, 'viewer');
    if (!actor.session) throw new AppError(400, 'not_a_session', 'sign in to change your password', [{ field: 'authorization', reason: 'API key' }]);
    const user = await accounts.changeOwnPassword(actor.name, request.body.current_password, request.body.password, langOf(request));
    const session = await accounts.sessions.create(user.id, { address: request.ip, userAgent: request.headers['user-agent'] ?? '' });
    return startSession(reply, options, user, session);
  });
}
