import { Type } from 'typebox';
import { DURATION_PATTERN } from '../../lib/units.ts';

const Duration = Type.String({ pattern: DURATION_PATTERN });
const OneOrMany = Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })]);

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * One rule in mimamori.yaml. The fields every kind shares are checked here;
 * the kind's own fields (threshold_ms, window, …) are checked by the kind
 * (server/rules/kinds/*.ts), which names the bad field with its line.
 */
export const RuleSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$' }),
    kind: Type.String({ minLength: 1 }),
    severity: Type.Optional(Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')])),
    for: Type.Optional(Duration),
    match: Type.Optional(
      Type.Object(
        { environment: Type.Optional(OneOrMany), target: Type.Optional(OneOrMany), host: Type.Optional(OneOrMany), service: Type.Optional(OneOrMany) },
        { additionalProperties: false, description: 'which series the rule watches; absent = all' },
      ),
    ),
    notify: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'recipient names; default notify.default_recipients' })),
    escalation: Type.Optional(Type.String({ description: 'escalation chain name; default "default" when one is configured' })),
    title: Type.Optional(Type.Object({ ja: Type.Optional(Type.String()), en: Type.Optional(Type.String()) }, { additionalProperties: false })),
  },
  { additionalProperties: true },
);

export const RulesSchema = Type.Array(RuleSchema);
