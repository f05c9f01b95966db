import { Type, type Static } from 'typebox';

/** Who may change state until personal accounts exist: API keys with an actor name and a role. */
export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, operator: 1, approver: 2, admin: 3 };
/** Roles rank viewer < operator < approver < admin; a role can do what the ones below it can. */
export const atLeast = (role: Role, minimum: Role) => RANK[role] >= RANK[minimum];

export const ApiKeysSchema = Type.Array(
  Type.Object(
    {
      actor: Type.String({ minLength: 1, maxLength: 100, description: 'the person or system the key belongs to; recorded on every change' }),
      role: Type.Union([Type.Literal('viewer'), Type.Literal('operator'), Type.Literal('approver'), Type.Literal('admin')]),
      secret_env: Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$', description: 'environment variable holding the key' }),
    },
    { additionalProperties: false },
  ),
  { description: 'API keys for changes (tickets, workarounds, maintenance): Authorization: Bearer <key>' },
);

export const AccountsSchema = Type.Object(
  {
    organisation_names: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { description: 'proper nouns no password may contain: the foundation, the contractor, the system' })),
    password_min_score: Type.Optional(Type.Integer({ minimum: 0, maximum: 4, description: 'zxcvbn strength a password needs (0–4)' })),
    session_idle_timeout: Type.Optional(Type.String({ description: 'a session unused this long ends (e.g. 30m)' })),
    session_absolute_timeout: Type.Optional(Type.String({ description: 'a session ends this long after sign-in, used or not (e.g. 12h)' })),
    lockout_failures: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'failed sign-ins within lockout_window before the account waits' })),
    lockout_window: Type.Optional(Type.String()),
    review_unused_after: Type.Optional(Type.String({ description: 'accounts not used for this long are listed for review (item 15)' })),
    sign_in_attempts_per_minute: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'per source address, whatever the account' })),
  },
  { additionalProperties: false, description: 'personal accounts: password policy (item 14), sessions, lockout' },
);

export interface AccountsSettings {
  organisationNames: string[];
  passwordMinScore: number;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  lockoutFailures: number;
  lockoutWindowMs: number;
  reviewUnusedAfterMs: number;
  signInAttemptsPerMinute: number;
}

export function resolveAccounts(raw: Static<typeof AccountsSchema> | undefined, duration: (path: string[], text: string) => number): AccountsSettings {
  const a = raw ?? {};
  return {
    organisationNames: a.organisation_names ?? [],
    passwordMinScore: a.password_min_score ?? 3,
    sessionIdleMs: duration(['accounts', 'session_idle_timeout'], a.session_idle_timeout ?? '30m'),
    sessionAbsoluteMs: duration(['accounts', 'session_absolute_timeout'], a.session_absolute_timeout ?? '12h'),
    lockoutFailures: a.lockout_failures ?? 5,
    lockoutWindowMs: duration(['accounts', 'lockout_window'], a.lockout_window ?? '15m'),
    reviewUnusedAfterMs: duration(['accounts', 'review_unused_after'], a.review_unused_after ?? '90d'),
    signInAttemptsPerMinute: a.sign_in_attempts_per_minute ?? 20,
  };
}
