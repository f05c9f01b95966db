import type { FastifyInstance } from 'fastify';
import type { Storage } from '../storage/client.ts';
import type { AccountsSettings } from './config.ts';
import { Accounts } from './accounts.ts';
import { Lockout } from './lockout.ts';
import { SessionStore } from './sessions.ts';
import { SetupLink } from './setup.ts';
import { UserDirectory } from './users.ts';
import { sessionRoutes } from './session-routes.ts';
import { setupRoutes } from './setup-routes.ts';
import type { Requests } from '../approvals/index.ts';
import { userRoutes } from './user-routes.ts';
export { accountDeletion } from './account-deletion.ts';
import { tokenRoutes } from './token-routes.ts';
import { ApiTokens } from './api-tokens.ts';

export { identifyActors, requireActor, resolveApiKeys, type Actor, type ApiKey, type RequireActor } from './actors.ts';
export { enforceAccess, type Access, type RouteTable } from './access.ts';

export interface AccountsRuntime {
  accounts: Accounts;
  tokens: ApiTokens;
  setupLink: SetupLink;
  settings: AccountsSettings;
  /** Secure cookies: people reach Mimamori over https. */
  secure: boolean;
}

/** People who sign in: the directory, sessions, lockout and the first-run link, all on ClickHouse. */
export function openAccounts(options: { storage: Storage; settings: AccountsSettings; dataDir: string; publicUrl: string; now: () => number }): AccountsRuntime {
  const { storage, settings, now } = options;
  const users = new UserDirectory(storage, now);
  const sessions = new SessionStore(storage, { idleMs: settings.sessionIdleMs, absoluteMs: settings.sessionAbsoluteMs }, now);
  const lockout = new Lockout(storage, { failures: settings.lockoutFailures, windowMs: settings.lockoutWindowMs }, now);
  return {
    accounts: new Accounts(users, sessions, lockout, settings, now),
    tokens: new ApiTokens(storage, now),
    setupLink: new SetupLink(options.dataDir, options.publicUrl, now),
    settings,
    secure: options.publicUrl.startsWith('https://'),
  };
}

/** The accounts capability's routes: sessions, the first-run setup, and the administrators' user management. */
export async function accountRoutes(app: FastifyInstance, options: AccountsRuntime & { now: () => number; adminRanges: readonly string[]; requests: Requests }): Promise<void> {
  const shared = { accounts: options.accounts, settings: options.settings, secure: options.secure };
  await app.register(sessionRoutes, shared);
  await app.register(setupRoutes, { ...shared, link: options.setupLink });
  await app.register(userRoutes, { accounts: options.accounts, requests: options.requests, reviewAfterMs: options.settings.reviewUnusedAfterMs, now: options.now });
  await app.register(tokenRoutes, { tokens: options.tokens, users: options.accounts.users, adminRanges: options.adminRanges });
}
