import { Type, type Static } from 'typebox';

// What the approvals routes answer; the dashboard's types follow these.

const Time = Type.String({ description: 'RFC 3339, UTC' });
const NullableTime = Type.Union([Time, Type.Null()]);
const Bilingual = Type.Object({ ja: Type.String(), en: Type.String() });
const Who = Type.Object({ name: Type.String(), role: Type.String({ description: 'system: Mimamori itself' }) });

export const RequestId = Type.Object({ id: Type.String({ maxLength: 40 }) });

export const CreateRequestBody = Type.Object(
  {
    operation: Type.String({ maxLength: 60 }),
    params: Type.Record(Type.String(), Type.Unknown(), { maxProperties: 20, description: 'the fields GET /api/v1/operations lists for it' }),
    reason: Type.String({ minLength: 1, maxLength: 1000, description: 'why: the approver reads it' }),
  },
  { additionalProperties: false },
);

export const RequestAnswer = Type.Object({
  id: Type.String(),
  operation: Type.String(),
  params: Type.Record(Type.String(), Type.Unknown(), { description: 'as normalised when asked (times in epoch ms)' }),
  description: Bilingual,
  reason: Type.String(),
  requester: Who,
  created_at: Time,
  expires_at: Time,
  state: Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected'), Type.Literal('expired'), Type.Literal('ran'), Type.Literal('failed')], { description: 'approved: running' }),
  decided_by: Type.Union([Who, Type.Null()]),
  decided_at: NullableTime,
  decision_reason: Type.Union([Type.String(), Type.Null()]),
  ran_at: NullableTime,
  result: Type.Union([Type.Object({ files: Type.Array(Type.String()), summary: Type.String() }), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  files_until: NullableTime,
  files_deleted: Type.Boolean(),
  downloads: Type.Array(Type.Object({ by: Type.String(), at: Time, file: Type.String() })),
  progress: Type.Optional(Type.Object({ done: Type.Integer(), total: Type.Integer(), step: Type.String() }, { description: 'While a long operation runs: how far it is' })),
});
export type RequestAnswer = Static<typeof RequestAnswer>;

const Field = Type.Object({
  name: Type.String(),
  kind: Type.Union([Type.Literal('time'), Type.Literal('choice'), Type.Literal('text'), Type.Literal('days')]),
  required: Type.Boolean(),
  choices: Type.Optional(Type.Array(Type.String())),
  label: Bilingual,
  empty: Type.Optional(Bilingual),
});

export const OperationsAnswer = Type.Object({
  operations: Type.Array(Type.Object({ name: Type.String(), title: Bilingual, fields: Type.Array(Field), asked_by: Type.Array(Type.String({ description: 'roles that may ask for it' })) })),
});
