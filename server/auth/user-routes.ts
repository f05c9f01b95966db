import type { Requests } from '../approvals/index.ts';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../http/errors.ts';
import { requireActor, type Actor } from './actors.ts';
import { CreateUserBody, ResetPasswordBody, UpdateUserBody, UserParams, UserView } from './schemas.ts';
import { langOf } from './session-routes.ts';
import type { Accounts, Profile } from './accounts.ts';
import { profileColumns, type User } from './users.ts';

const tags = ['accounts'];
const iso = (ms: number) => new Date(ms).toISOString();

/** An account as the admin page and the CLI see it: never the password hash. */
export function userView(user: User, reviewAfterMs: number, now: number) {
  const lastUse = user.lastLoginAt || user.createdAt;
  return {
    id: user.id,
    ...profileColumns(user),
    created_at: iso(user.createdAt),
    last_login_at: user.lastLoginAt ? iso(user.lastLoginAt) : null,
    password_set_at: iso(user.passwordSetAt),
    review: user.enabled && now - lastUse > reviewAfterMs,
  };
}

export const profileOf = (b: { display_name?: string; family_name?: string; given_name?: string; family_kana?: string; given_kana?: string; email?: string; language?: 'ja' | 'en' }): Partial<Profile> => ({
  displayName: b.display_name, familyName: b.family_name, givenName: b.given_name, familyKana: b.family_kana, givenKana: b.given_kana, email: b.email, language: b.language,
});

const by = (actor: Actor) => ({ name: actor.name, role: actor.role });

/** Accounts, for administrators: create, edit, disable, re-enable, delete, reset a password. */
export async function userRoutes(fastify: FastifyInstance, options: { accounts: Accounts; requests: Requests; reviewAfterMs: number; now: () => number }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { accounts, requests, reviewAfterMs, now } = options;
  const view = (u: User) => ({ ...userView(u, reviewAfterMs, now()), deletion_request: requests.pending('account.delete', { id: u.id })?.id ?? null });

  /** Keeps at least one enabled administrator: Mimamori must stay administrable without the host. */
  const keepAnAdmin = async (id: string, change: string) => {
    const admins = (await accounts.users.list()).filter((u) => u.role === 'admin' && u.enabled);
    if (admins.length === 1 && admins[0]!.id === id) throw new AppError(409, 'last_admin', `${id} is the only enabled administrator and cannot be ${change}`, [{ field: 'id', reason: 'last administrator' }]);
  };

  app.get('/api/v1/users', { config: { access: 'admin' }, schema: { tags, summary: 'Accounts (admin); `review` marks those unused for accounts.review_unused_after', response: { 200: Type.Object({ users: Type.Array(UserView) }) } } }, async (request) => {
    requireActor(request, 'admin');
    return { users: (await accounts.users.list()).map(view) };
  });

  app.post('/api/v1/users', { config: { access: 'admin' }, schema: { tags, summary: 'Create an account with an initial password, to be changed at first sign-in (admin)', body: CreateUserBody, response: { 201: UserView } } }, async (request, reply) => {
    const actor = requireActor(request, 'admin');
    const { id, role, password, ...profile } = request.body;
    const user = await accounts.create(id, { ...profileOf(profile), displayName: profile.display_name }, role, password, by(actor), { lang: langOf(request), mustChangePassword: true });
    return reply.code(201).send(view(user));
  });

  app.get('/api/v1/users/:id', { config: { access: 'admin' }, schema: { tags, summary: 'One account with its history (admin)', params: UserParams } }, async (request) => {
    requireActor(request, 'admin');
    const user = await accounts.users.get(request.params.id);
    if (!user || user.deleted) throw new AppError(404, 'not_found', `no user ${request.params.id}`, [{ field: 'id', reason: 'not found' }]);
    const events = (await accounts.users.events(user.id)).map((e) => ({ at: iso(Number(e.at)), action: e.action, actor: e.actor, detail: JSON.parse(e.detail || '{}') }));
    return { ...view(user), events };
  });

  app.patch('/api/v1/users/:id', { config: { access: 'admin' }, schema: { tags, summary: 'Change an account’s names, e-mail, language or role; a new role ends its sessions (admin)', params: UserParams, body: UpdateUserBody, response: { 200: UserView } } }, async (request) => {
    const actor = requireActor(request, 'admin');
    const { role, ...profile } = request.body;
    if (role && role !== 'admin') await keepAnAdmin(request.params.id, 'given another role');
    return view(await accounts.update(request.params.id, { ...profileOf(profile), role }, by(actor)));
  });

  app.post('/api/v1/users/:id/disable', { config: { access: 'admin' }, schema: { tags, summary: 'Disable: its sessions end at once (admin)', params: UserParams, response: { 200: UserView } } }, async (request) => {
    const actor = requireActor(request, 'admin');
    await keepAnAdmin(request.params.id, 'disabled');
    return view(await accounts.setEnabled(request.params.id, false, by(actor)));
  });

  app.post('/api/v1/users/:id/enable', { config: { access: 'admin' }, schema: { tags, summary: 'Re-enable (admin)', params: UserParams, response: { 200: UserView } } }, async (request) => {
    return view(await accounts.setEnabled(request.params.id, true, by(requireActor(request, 'admin'))));
  });

  app.post('/api/v1/users/:id/reset-password', { config: { access: 'admin' }, schema: { tags, summary: 'Set an initial password, to be changed at next sign-in; its sessions end (admin)', params: UserParams, body: ResetPasswordBody, response: { 200: UserView } } }, async (request) => {
    const actor = requireActor(request, 'admin');
    return view(await accounts.resetPassword(request.params.id, request.body.password, by(actor), langOf(request)));
  });

  app.delete('/api/v1/users/:id', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Delete: disabled at once (its sessions end); its personal data is erased when someone else approves the request this answers (admin)',
      params: UserParams,
      querystring: Type.Object({ reason: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'why, for the approver (default: the person left)' })) }, { additionalProperties: false }),
      response: { 202: Type.Object({ user: UserView, request: Type.Object({ id: Type.String(), state: Type.String() }) }) },
    },
  }, async (request, reply) => {
    const actor = requireActor(request, 'admin');
    const id = request.params.id;
    await keepAnAdmin(id, 'deleted');
    const user = (await accounts.users.get(id))?.enabled ? await accounts.setEnabled(id, false, by(actor)) : await accounts.users.get(id);
    if (!user || user.deleted) throw new AppError(404, 'not_found', `no user ${id}`, [{ field: 'id', reason: 'not found' }]);
    const asked = requests.pending('account.delete', { id }) ?? (await requests.create('account.delete', { id }, request.query.reason ?? 'the person left', by(actor)));
    request.auditNote = { detail: `disabled; deletion waits for ${asked.id}` };
    return reply.code(202).send({ user: view(user), request: { id: asked.id, state: asked.state } });
  });
}
