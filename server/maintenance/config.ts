import { Type } from 'typebox';
import { DURATION_PATTERN } from '../../lib/units.ts';

const Message = Type.Object({ ja: Type.Optional(Type.String()), en: Type.Optional(Type.String()) }, { additionalProperties: false });

/**
 * Planned maintenance (item 3). One-off: `start` and `end` (ISO 8601; without
 * an offset, the configured time zone). Recurring: `every: daily|weekly`,
 * `days` for weekly, `at` (HH:MM in the configured time zone) and `duration`.
 */
export const MaintenanceSchema = Type.Array(
  Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: 100 }),
      start: Type.Optional(Type.String({ minLength: 10 })),
      end: Type.Optional(Type.String({ minLength: 10 })),
      every: Type.Optional(Type.Union([Type.Literal('daily'), Type.Literal('weekly')])),
      days: Type.Optional(Type.Array(Type.Union([Type.Literal('mon'), Type.Literal('tue'), Type.Literal('wed'), Type.Literal('thu'), Type.Literal('fri'), Type.Literal('sat'), Type.Literal('sun')]), { minItems: 1 })),
      at: Type.Optional(Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' })),
      duration: Type.Optional(Type.String({ pattern: DURATION_PATTERN })),
      environments: Type.Optional(Type.Array(Type.String())),
      targets: Type.Optional(Type.Array(Type.String())),
      message: Type.Optional(Message),
    },
    { additionalProperties: false },
  ),
);
