import { Type } from 'typebox';

/** Who may change state until personal accounts exist: API keys with an actor name and a role. */
export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

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
