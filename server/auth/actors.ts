import { createHash, timingSafeEqual } from 'node:crypto';
import { readOrCreateSecretFile } from '../shared/secret-file.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../http/errors.ts';
import type { Role } from './config.ts';

export interface Actor {
  name: string;
  role: Role;
}

export interface ApiKey extends Actor {
  secret: string;
}

export const LOCAL_ADMIN_FILE = 'admin-token';
const RANK: Record<Role, number> = { viewer: 0, operator: 1, approver: 2, admin: 3 };
const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Keys from the config plus a local admin key in <dataDir>/admin-token (mode
 * 0600, created on first start, actor "local-admin") for the CLI on the same
 * machine, so a fresh install can be operated before any key is configured.
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
  for (const key of keys) if (timingSafeEqual(offered, digest(key.secret))) found ??= { name: key.name, role: key.role };
  return found;
}

export type RequireActor = (request: FastifyRequest, minimum: Role) => Actor;

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Doors with credentials of their own: ingest tokens, Faro app keys, signed acknowledge links. */
const OWN_CREDENTIALS = /^\/(api\/v1\/ingest\/|api\/v1\/faro\/|ack\/)/;

/**
 * Every change through the API needs a valid key, checked when the request
 * line and headers arrive, before any body is read: an anonymous client
 * cannot make the server read (or wait for) a body. The role is checked by
 * the route once it knows what the change is.
 */
export function requireKeyBeforeBody(app: FastifyInstance, keys: () => readonly ApiKey[]): void {
  app.addHook('onRequest', async (request) => {
    if (!CHANGES.has(request.method) || OWN_CREDENTIALS.test(request.url)) return;
    if (!findActor(request.headers.authorization, keys())) throw unauthorized();
  });
}

const unauthorized = () => new AppError(401, 'unauthorized', 'a valid API key is required (Authorization: Bearer <key>)', [{ field: 'authorization', reason: 'missing or unknown key' }], { 'www-authenticate': 'Bearer', connection: 'close' });

/** 401 without a valid key, 403 when the key's role is below `minimum` (roles rank viewer < operator < approver < admin). */
export function actorGuard(keys: () => readonly ApiKey[]): RequireActor {
  return (request, minimum) => {
    const actor = findActor(request.headers.authorization, keys());
    if (!actor) throw unauthorized();
    if (RANK[actor.role] < RANK[minimum]) {
      throw new AppError(403, 'forbidden', `this needs the ${minimum} role; ${actor.name} has ${actor.role}`, [{ field: 'authorization', reason: `role ${actor.role} is below ${minimum}` }]);
    }
    return actor;
  };
}
