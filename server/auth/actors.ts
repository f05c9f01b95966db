import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import '@fastify/cookie';
import { readOrCreateSecretFile } from '../shared/secret-file.ts';
import { AppError } from '../http/errors.ts';
import { atLeast, type Role } from './config.ts';
import { csrfMatches, type SessionStore, type SessionView } from './sessions.ts';
import { PUBLIC_ROUTES } from './public-routes.ts';
import { tokenKind, type ApiTokens } from './api-tokens.ts';

/** Who acts: a person signed in, or the holder of an API key. */
export interface Actor {
  name: string;
  role: Role;
  /** How it proved who it is; absent for Mimamori itself and signed mail links. */
  via?: 'key' | 'token' | 'session';
  /** Set when the actor signed in: the session and its cookie. */
  session?: { token: string; view: SessionView };
}

export interface ApiKey {
  name: string;
  role: Role;
  secret: string;
}

export const LOCAL_ADMIN_FILE = 'admin-token';
export const SESSION_COOKIE = 'mimamori_session';
/** A wall screen's display token, exchanged from /wall?token=… so it leaves the address bar. */
export const DISPLAY_COOKIE = 'mimamori_display';
const digest = (text: string) => createHash('sha256').update(text).digest();


/**
 * Keys from the config plus the local admin key in <dataDir>/admin-token
 * (mode 0600, actor "local-admin"): a machine credential for the CLI on the
 * server's own host, readable only by the server's user. It is not a login.
 */
export function resolveApiKeys(configured: readonly ApiKey[], dataDir: string): ApiKey[] {
  return [...configured, { name: 'local-admin', role: 'admin', secret: readOrCreateSecretFile(dataDir, LOCAL_ADMIN_FILE) }];
}

/** The actor behind the request's bearer key, or undefined. Constant-time per key. */
export function findActor(header: string | undefined, keys: readonly ApiKey[]): Actor | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const offered = digest(match[1]!);
  let found: Actor | undefined;
  for (const key of keys) if (timingSafeEqual(offered, digest(key.secret))) found ??= { name: key.name, role: key.role, via: 'key' };
  return found;
}

export type RequireActor = (request: FastifyRequest, minimum: Role) => Actor;

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is acting, found when the request arrived (before any body is read). */
    actor: Actor | undefined;
    /** Names the credential the request came with (a session, a token, a key), for per-credential limits. */
    credential: string;
    /** Whether that credential still holds (a long-lived stream asks now and then). */
    credentialValid: () => Promise<boolean>;
  }
}

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Doors with credentials of their own: ingest tokens, Faro app keys, signed acknowledge links. */
const OWN_CREDENTIALS = /^\/(api\/v1\/ingest\/|api\/v1\/faro\/|ack\/)/;
const UPLOAD_WITH_INGEST_TOKEN = /^\/api\/v1\/loadtests(\?|$)/;
/** The doors into an account: signing in and creating the first administrator (a password or a setup token, no session yet). */
const SIGN_IN = /^\/api\/v1\/(session|setup)(\?|$)/;
/** Public reads (the page's configuration, the setup state) stay open to a session whose password must change. */
const OPEN_GETS = new Set(PUBLIC_ROUTES.filter((r) => r.method === 'GET').map((r) => r.url));
/** What a session whose password must change may still do. */
const WHILE_PASSWORD_MUST_CHANGE = /^\/api\/v1\/session(\/password)?(\?|$)/;

/**
 * Finds the actor of every request as it arrives: a bearer API key or
 * personal token, else the session cookie; a display token (bearer or the
 * wall's cookie) is noted apart, for the wall's routes only. Every change
 * needs an actor, checked before any body is read; a change made with a
 * cookie also needs the session's CSRF token in X-CSRF-Token; a session
 * whose password must change can do nothing else.
 */
export function identifyActors(app: FastifyInstance, keys: () => readonly ApiKey[], sessions: SessionStore, tokens: ApiTokens): void {
  app.decorateRequest('actor', undefined);
  app.decorateRequest('display', undefined);
  app.decorateRequest('credential', '');
  app.decorateRequest('credentialValid', undefined as never);
  app.addHook('onRequest', async (request) => {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    const kind = bearer ? tokenKind(bearer) : undefined;
    request.credentialValid = async () => false;
    if (kind === 'personal') {
      const grant = await tokens.check(bearer!, request.ip);
      if (grant && grant.role) {
        request.actor = { name: grant.owner, role: grant.role, via: 'token' };
        request.credential = `token:${grant.id}`;
        request.credentialValid = async () => (await tokens.check(bearer!)) !== undefined;
      }
    } else if (kind === 'display') {
      request.display = await tokens.check(bearer!, request.ip);
      request.credential = `token:${request.display?.id}`;
      request.credentialValid = async () => (await tokens.check(bearer!)) !== undefined;
    } else if (!kind) {
      request.actor = findActor(request.headers.authorization, keys());
      request.credential = `key:${request.actor?.name}`;
      request.credentialValid = async () => findActor(request.headers.authorization, keys()) !== undefined;
    }
    const cookie = request.cookies?.[SESSION_COOKIE];
    if (!request.actor && !bearer && cookie) {
      const view = await sessions.check(cookie);
      if (view) {
        request.actor = { name: view.userId, role: view.role, via: 'session', session: { token: cookie, view } };
        request.credential = `session:${view.id}`;
        request.credentialValid = async () => (await sessions.check(cookie)) !== undefined;
      }
    }
    const wallCookie = request.cookies?.[DISPLAY_COOKIE];
    if (!request.actor && !request.display && wallCookie) {
      request.display = await tokens.check(wallCookie, request.ip);
      request.credential = `token:${request.display?.id}`;
      request.credentialValid = async () => (await tokens.check(wallCookie)) !== undefined;
    }
    const change = CHANGES.has(request.method);
    if (change && (OWN_CREDENTIALS.test(request.url) || (request.method === 'POST' && SIGN_IN.test(request.url)))) return;
    const actor = request.actor;
    // CI may upload a k6 run with an ingest token: that route checks the token itself (a person's session still needs its CSRF token below).
    if (change && !actor && UPLOAD_WITH_INGEST_TOKEN.test(request.url)) return;
    if (change && !actor) throw unauthorized(true);
    if (actor?.via !== 'session') return;
    if (change && !csrfMatches(actor.session!.token, header(request, 'x-csrf-token'))) {
      throw new AppError(403, 'csrf', 'a change made with a session needs its CSRF token in the X-CSRF-Token header', [{ field: 'x-csrf-token', reason: 'missing or wrong' }]);
    }
    const open = OPEN_GETS.has(request.routeOptions.url ?? '') && request.method === 'GET';
    if (actor.session!.view.mustChangePassword && request.url.startsWith('/api/') && !open && !WHILE_PASSWORD_MUST_CHANGE.test(request.url)) {
      throw new AppError(403, 'password_change_required', 'change the initial password first (POST /api/v1/session/password)', [{ field: 'password', reason: 'must be changed' }]);
    }
  });
}

const header = (request: FastifyRequest, name: string) => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** 401 without an actor, 403 when the actor's role is below `minimum` (roles rank viewer < operator < approver < admin). */
export const requireActor: RequireActor = (request, minimum) => {
  const actor = request.actor;
  if (!actor) throw unauthorized();
  if (!atLeast(actor.role, minimum)) {
    throw new AppError(403, 'forbidden', `this needs the ${minimum} role; ${actor.name} has ${actor.role}`, [{ field: 'authorization', reason: `role ${actor.role} is below ${minimum}` }]);
  }
  return actor;
};

/** `close`: the body was not read, so the connection cannot carry another request. */
const unauthorized = (close = false) =>
  new AppError(401, 'unauthorized', 'sign in, or send an API key (Authorization: Bearer <key>)', [{ field: 'authorization', reason: 'no session and no valid key' }], { 'www-authenticate': 'Bearer', ...(close ? { connection: 'close' } : {}) });

/** For an app of one capability without sessions (its tests): actors from bearer keys only. */
export function actorGuard(keys: () => readonly ApiKey[]): RequireActor {
  return (request, minimum) => {
    request.actor ??= findActor(request.headers.authorization, keys());
    return requireActor(request, minimum);
  };
}
