import { Type } from 'typebox';
import { DURATION_PATTERN } from '../../lib/units.ts';

const Duration = Type.String({ pattern: DURATION_PATTERN });
const EnvName = Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$' });
export const LANGUAGES = ['ja', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const Recipient = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' }),
    email: Type.Optional(Type.Array(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$' }), { minItems: 1 })),
    webhook: Type.Optional(
      Type.Object(
        { url: Type.Optional(Type.String({ pattern: '^https?://' })), url_env: Type.Optional(EnvName), secret_env: Type.Optional(EnvName) },
        { additionalProperties: false, description: 'JSON POST for phone/SMS gateways and chat; the URL inline or from the environment' },
      ),
    ),
    language: Type.Optional(Type.Union([Type.Literal('ja'), Type.Literal('en')])),
  },
  { additionalProperties: false },
);

export const NotifySchema = Type.Object(
  {
    smtp: Type.Optional(
      Type.Object(
        { url_env: Type.Optional(EnvName), from: Type.Optional(Type.String({ minLength: 3 })) },
        { additionalProperties: false, description: 'smtp(s)://user:pass@host:port from the environment; without it mail goes to the outbox' },
      ),
    ),
    recipients: Type.Optional(Type.Array(Recipient)),
    default_recipients: Type.Optional(Type.Array(Type.String())),
    foundation_recipients: Type.Optional(Type.Array(Type.String(), { description: 'told before and after every workaround is executed (item 7)' })),
    group_wait: Type.Optional(Type.Object({ critical: Type.Optional(Duration), warning: Type.Optional(Duration), info: Type.Optional(Duration) }, { additionalProperties: false })),
    group_interval: Type.Optional(Duration),
    repeat_interval: Type.Optional(Duration),
  },
  { additionalProperties: false },
);

export const EscalationSchema = Type.Array(
  Type.Object(
    {
      name: Type.String({ minLength: 1 }),
      steps: Type.Array(
        Type.Object(
          {
            notify: Type.String({ minLength: 1, description: 'a recipient name' }),
            channel: Type.Optional(Type.Union([Type.Literal('email'), Type.Literal('webhook')])),
            wait: Duration,
          },
          { additionalProperties: false, description: 'fires when the ticket is still unacknowledged `wait` after the previous step' },
        ),
        { minItems: 1 },
      ),
    },
    { additionalProperties: false },
  ),
);
