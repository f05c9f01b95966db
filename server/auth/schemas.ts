import { Type, type Static } from 'typebox';

const Id = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{1,63}$', description: 'user ID: 2–64 of a-z 0-9 . _ -, lower case' });
const Password = Type.String({ minLength: 1, maxLength: 256 });
const RoleName = Type.Union([Type.Literal('viewer'), Type.Literal('operator'), Type.Literal('approver'), Type.Literal('admin')]);
const Name = (description: string) => Type.Optional(Type.String({ maxLength: 100, description }));
const Language = Type.Union([Type.Literal('ja'), Type.Literal('en')]);

const ProfileFields = {
  display_name: Type.String({ minLength: 1, maxLength: 100, description: 'shown on pages and in the ledger' }),
  family_name: Name('family name as written, e.g. 佐藤'),
  given_name: Name('given name as written, e.g. 健太'),
  family_kana: Name('reading of the family name in kana, e.g. さとう'),
  given_kana: Name('reading of the given name in kana'),
  email: Type.Optional(Type.String({ maxLength: 254, pattern: '^$|^[^@\\s]+@[^@\\s]+$' })),
  language: Type.Optional(Language),
};

export const SignInBody = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), password: Password }, { additionalProperties: false });
export const ChangePasswordBody = Type.Object({ current_password: Password, password: Password }, { additionalProperties: false });
export const SetupBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }), id: Id, password: Password, ...ProfileFields }, { additionalProperties: false });
export const CreateUserBody = Type.Object({ id: Id, role: RoleName, password: Password, ...ProfileFields }, { additionalProperties: false });
export const UpdateUserBody = Type.Object(
  { role: Type.Optional(RoleName), ...ProfileFields, display_name: Type.Optional(ProfileFields.display_name) },
  { additionalProperties: false, minProperties: 1 },
);
export const ResetPasswordBody = Type.Object({ password: Password }, { additionalProperties: false });
export const UserParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const UserView = Type.Object({
  id: Type.String(),
  display_name: Type.String(),
  family_name: Type.String(),
  given_name: Type.String(),
  family_kana: Type.String(),
  given_kana: Type.String(),
  email: Type.String(),
  language: Type.String(),
  role: Type.String(),
  enabled: Type.Boolean(),
  must_change_password: Type.Boolean(),
  created_at: Type.String(),
  last_login_at: Type.Union([Type.String(), Type.Null()]),
  password_set_at: Type.String(),
  review: Type.Boolean({ description: 'not signed in for longer than accounts.review_unused_after (item 15)' }),
  deletion_request: Type.Union([Type.String(), Type.Null()], { description: 'the request that will erase it once approved (item 16)' }),
});

export const SessionView = Type.Object({
  user: Type.Object({ id: Type.String(), display_name: Type.String(), role: Type.String(), language: Type.String(), must_change_password: Type.Boolean() }),
  csrf_token: Type.String({ description: 'send it as X-CSRF-Token with every change made with this session' }),
  expires_at: Type.String(),
  idle_timeout_s: Type.Integer(),
});

export const SetupState = Type.Object({
  needed: Type.Boolean({ description: 'no account exists yet: the first administrator must be created with the setup link' }),
  policy: Type.Object({ ja: Type.String(), en: Type.String() }),
});

export type SignInBody = Static<typeof SignInBody>;
export type CreateUserBody = Static<typeof CreateUserBody>;
export type UpdateUserBody = Static<typeof UpdateUserBody>;

// Tokens for programs (token-routes.ts); the dashboard's Tokens page uses the same types.
export const CreateTokenBody = Type.Object(
  {
    kind: Type.Union([Type.Literal('personal'), Type.Literal('display'), Type.Literal('ingest')], { description: 'personal: scripts and the CLI, your role or lower; display: a wall screen, the wall only; ingest: an agent (admin)' }),
    name: Type.String({ minLength: 1, maxLength: 100, description: 'what it is for, e.g. "wall, 3F operations room"' }),
    role: Type.Optional(RoleName),
    owner: Type.Optional(Type.String({ maxLength: 64, description: 'personal: whose token (an administrator may make one for any user; default: you)' })),
  },
  { additionalProperties: false },
);
export const TokenView = Type.Object({
  id: Type.String(), kind: Type.String(), name: Type.String(), owner: Type.String(), role: Type.String(),
  created_at: Type.String(), created_by: Type.String(), revoked_at: Type.Union([Type.String(), Type.Null()]), last_used_at: Type.Union([Type.String(), Type.Null()]),
});

export type TokenView = Static<typeof TokenView>;
export type CreateTokenBody = Static<typeof CreateTokenBody>;
