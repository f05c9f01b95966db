import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '../http/errors.ts';
import { describePolicy } from './password-policy.ts';
import { SessionView, SetupBody, SetupState } from './schemas.ts';
import { signInRate, langOf, refuseForeignOrigin, startSession, type SessionRoutesOptions } from './session-routes.ts';
import { profileOf } from './user-routes.ts';
import type { SetupLink } from './setup.ts';

const tags = ['accounts'];

/** First run: the one-time link creates the first administrator and signs them in. */
export async function setupRoutes(fastify: FastifyInstance, options: SessionRoutesOptions & { link: SetupLink }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { accounts, link, settings } = options;

  app.get('/api/v1/setup', { schema: { tags, summary: 'Whether the first administrator must still be created, and the password policy', response: { 200: SetupState } } }, async () => ({
    needed: (await accounts.users.count()) === 0,
    policy: describePolicy({ minScore: settings.passwordMinScore }),
  }));

  app.post('/api/v1/setup', { config: { rateLimit: signInRate(settings) }, schema: { tags, summary: 'Create the first administrator with the setup link’s token; signs them in', body: SetupBody, response: { 200: SessionView } } }, async (request, reply) => {
    refuseForeignOrigin(request);
    request.auditNote = { actor: request.body.id, detail: 'first administrator, with the setup link' };
    if ((await accounts.users.count()) > 0) throw new AppError(409, 'already_set_up', 'an administrator exists already; sign in, or ask an administrator for an account', [{ field: 'token', reason: 'spent' }]);
    if (!link.accepts(request.body.token)) throw new AppError(403, 'invalid_setup_token', 'the setup link is wrong or has expired; restart Mimamori for a new one, or run `mimamori user add <id> --admin` on its host', [{ field: 'token', reason: 'wrong or expired' }]);
    const { token: _token, id, password, ...profile } = request.body;
    const lang = langOf(request);
    // The person chose this password themselves: no forced change.
    const user = await accounts.create(id, { ...profileOf(profile), displayName: profile.display_name }, 'admin', password, { name: 'setup-link', role: 'admin' }, { lang, mustChangePassword: false });
    link.spend();
    request.actor = { name: user.id, role: user.role, via: 'session' };
    const session = await accounts.sessions.create(user.id, { address: request.ip, userAgent: request.headers['user-agent'] ?? '' });
    return startSession(reply, options, user, session);
  });
}
