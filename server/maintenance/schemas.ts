import { Type, type Static } from 'typebox';

const Time = (description: string) => Type.String({ minLength: 1, maxLength: 40, description: `${description}: epoch ms or ISO 8601 (without an offset, the configured time zone)` });
const Filter = {
  environment: Type.Optional(Type.String({ maxLength: 32, description: 'only windows that cover this environment' })),
  target: Type.Optional(Type.String({ maxLength: 200, description: 'only windows that cover this target' })),
};
const MessageText = Type.String({ maxLength: 2000 });

export const PageQuery = Type.Object({ ...Filter, lang: Type.Optional(Type.Union([Type.Literal('ja'), Type.Literal('en')])) }, { additionalProperties: false });
export type PageQuery = Static<typeof PageQuery>;

export const StatusQuery = Type.Object(Filter, { additionalProperties: false });

export const ListQuery = Type.Object(
  { from: Type.Optional(Time('start (default: now)')), to: Type.Optional(Time('end (default: 30 days after "from")')) },
  { additionalProperties: false },
);

export const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    start: Time('start'),
    end: Time('planned end'),
    environments: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 32, description: 'absent or empty: all environments' })),
    targets: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 200, description: 'absent or empty: all targets' })),
    message: Type.Optional(Type.Object({ ja: Type.Optional(MessageText), en: Type.Optional(MessageText) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type CreateBody = Static<typeof CreateBody>;

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

export const AvailabilityQuery = Type.Object(
  {
    environment: Type.String({ minLength: 1, maxLength: 32 }),
    target: Type.String({ minLength: 1, maxLength: 200 }),
    from: Type.Optional(Type.String({ description: 'start: epoch ms or RFC 3339 (default: 30 days before "to")' })),
    to: Type.Optional(Type.String({ description: 'end: epoch ms or RFC 3339 (default: now)' })),
  },
  { additionalProperties: false },
);

export const WindowView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  start: Type.String({ description: 'ISO 8601, UTC' }),
  end: Type.String({ description: 'planned end, ISO 8601, UTC' }),
  environments: Type.Array(Type.String(), { description: 'empty: all' }),
  targets: Type.Array(Type.String(), { description: 'empty: all' }),
  message: Type.Object({ ja: Type.String(), en: Type.String() }),
  source: Type.Union([Type.Literal('config'), Type.Literal('api')]),
  created_by: Type.String(),
  created_at: Type.Union([Type.String(), Type.Null()], { description: 'null for windows from the config' }),
  updated_by: Type.Union([Type.String(), Type.Null()], { description: 'who last changed it (PUT), if anyone' }),
  updated_at: Type.Union([Type.String(), Type.Null()]),
});
export type WindowView = Static<typeof WindowView>;

export const StatusResponse = Type.Object({
  time: Type.String(),
  timezone: Type.String(),
  maintenance: Type.Boolean({ description: 'a window is in force now' }),
  windows: Type.Array(WindowView, { description: 'windows in force now' }),
  upcoming: Type.Array(WindowView, { description: 'windows starting in the next 7 days' }),
});

export const ListResponse = Type.Object({ from: Type.String(), to: Type.String(), windows: Type.Array(WindowView) });

export const AvailabilityResponse = Type.Object({
  environment: Type.String(),
  target: Type.String(),
  from: Type.String(),
  to: Type.String(),
  probes: Type.Integer({ description: 'probe answers outside maintenance' }),
  ok: Type.Integer(),
  availability_percent: Type.Union([Type.Number(), Type.Null()], { description: 'null without probes' }),
  excluded_minutes: Type.Number({ description: 'minutes of the range under declared maintenance' }),
});
