import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CreateTokenBody as CreateBody, TokenView } from './schemas.ts';
import { AppError } from '../http/errors.ts';
import { atLeast } from './config.ts';
import { requireAdminAddress } from './access.ts';
import type { ApiTokens, TokenInfo } from './api-tokens.ts';
import type { UserDirectory } from './users.ts';

const tags = ['accounts'];
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
export const tokenView = (t: TokenInfo) => ({ id: t.id, kind: t.kind, name: t.name, owner: t.owner, role: t.role, created_at: iso(t.createdAt)!, created_by: t.createdBy, revoked_at: iso(t.revokedAt), last_used_at: iso(t.lastUsedAt) });

/**
 * Tokens for programs: anyone signed in may make personal tokens for
 * themselves (their role or lower); display and ingest tokens, and every
 * token of others, are the administrators'. A token is shown once.
 */
export async function tokenRoutes(fastify: FastifyInstance, options: { tokens: ApiTokens; users: UserDirectory; adminRanges: readonly string[] }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { tokens, users, adminRanges } = options;

  app.get('/api/v1/tokens', { config: { access: 'viewer' }, schema: { tags, summary: 'Tokens: an administrator sees all, others their own personal tokens', response: { 200: Type.Object({ tokens: Type.Array(TokenView) }) } } }, async (request) => {
    const actor = request.actor!;
    if (actor.role === 'admin') requireAdminAddress(request, adminRanges); // everyone's tokens: administration
    return { tokens: (await tokens.list(actor.role === 'admin' ? {} : { owner: actor.name })).filter((t) => actor.role === 'admin' || t.kind === 'personal').map(tokenView) };
  });

  app.post('/api/v1/tokens', { config: { access: 'viewer' }, schema: { tags, summary: 'Create a token; the answer holds it in full, the only time it is shown', body: CreateBody, response: { 201: Type.Object({ token: Type.String(), info: TokenView }) } } }, async (request, reply) => {
    const actor = request.actor!;
    const { kind, name } = request.body;
    if (kind !== 'personal') {
      if (actor.role !== 'admin') throw new AppError(403, 'forbidden', `${kind} tokens are made by administrators`, [{ field: 'kind', reason: 'needs the admin role' }]);
      requireAdminAddress(request, adminRanges);
      const created = await tokens.create(kind, name, actor.name, '', actor.name);
      return reply.code(201).send({ token: created.token, info: tokenView(created.info) });
    }
    // A personal token belongs to a person and never carries more than their role (checked again at every use).
    const ownerId = request.body.owner ?? (actor.via === 'session' ? actor.name : undefined);
    if (!ownerId) throw new AppError(400, 'owner_needed', 'say whose personal token it is (owner)', [{ field: 'owner', reason: 'missing' }]);
    if (ownerId !== actor.name && actor.role !== 'admin') throw new AppError(403, 'forbidden', 'you may make personal tokens for yourself only', [{ field: 'owner', reason: 'not you' }]);
    if (ownerId !== actor.name) requireAdminAddress(request, adminRanges);
    const owner = await users.get(ownerId);
    if (!owner || owner.deleted || !owner.enabled) throw new AppError(404, 'not_found', `no enabled user ${ownerId}`, [{ field: 'owner', reason: 'not found' }]);
    const role = request.body.role ?? owner.role;
    if (!atLeast(owner.role, role)) throw new AppError(403, 'forbidden', `a token cannot carry more than its owner's role (${owner.role})`, [{ field: 'role', reason: `above ${owner.role}` }]);
    const created = await tokens.create('personal', name, owner.id, role, actor.name);
    return reply.code(201).send({ token: created.token, info: tokenView(created.info) });
  });

  app.delete('/api/v1/tokens/:id', { config: { access: 'viewer' }, schema: { tags, summary: 'Revoke: it stops working everywhere within a second', params: Type.Object({ id: Type.String({ maxLength: 40 }) }) } }, async (request, reply) => {
    const actor = request.actor!;
    const found = (await tokens.list()).find((t) => t.id === request.params.id);
    if (!found) throw new AppError(404, 'not_found', `no token ${request.params.id}`, [{ field: 'id', reason: 'not found' }]);
    if (actor.role !== 'admin' && found.owner !== actor.name) throw new AppError(403, 'forbidden', 'only its owner or an administrator may revoke a token', [{ field: 'id', reason: 'not yours' }]);
    if (found.owner !== actor.name) requireAdminAddress(request, adminRanges);
    await tokens.revoke(found.id, actor.name);
    return reply.code(204).send();
  });
}
