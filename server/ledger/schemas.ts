import { Type } from 'typebox';
import { REPORT_FIELDS, ROOT_CAUSES, SECURITY_FIELDS, STATUSES, TICKET_TYPES, WARRANTY } from './model.ts';

const literals = <const T extends string[]>(values: readonly [...T]) => Type.Enum(values);
const Text = (max = 10_000) => Type.String({ minLength: 1, maxLength: max });

export const TicketParams = Type.Object({ number: Type.String({ pattern: '^[A-Z]+-\\d{4}-\\d+$' }) });
export const TicketListQuery = Type.Object(
  { status: Type.Optional(Type.String()), environment: Type.Optional(Type.String()), type: Type.Optional(literals(TICKET_TYPES)), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })) },
  { additionalProperties: false },
);
export const NewTicket = Type.Object(
  {
    type: Type.Optional(literals(TICKET_TYPES)),
    title: Text(300),
    description: Type.Optional(Type.String({ maxLength: 10_000 })),
    environment: Type.String({ minLength: 1 }),
    severity: Type.Optional(literals(['critical', 'warning', 'info'])),
    reported_by: Type.Optional(Type.String({ maxLength: 200, description: 'who raised the inquiry (e.g. the foundation\'s contact)' })),
    channel: Type.Optional(literals(['phone', 'mail', 'chat', 'in_person', 'other'])),
  },
  { additionalProperties: false },
);
export const StatusChange = Type.Object({ status: literals(STATUSES), note: Type.Optional(Type.String({ maxLength: 10_000 })) }, { additionalProperties: false });
export const Note = Type.Object({ text: Text() }, { additionalProperties: false });
export const ReportBody = Type.Object(
  {
    report: Type.Optional(Type.Object(Object.fromEntries([...REPORT_FIELDS, ...SECURITY_FIELDS].map((f) => [f, Type.Optional(Type.String({ maxLength: 20_000 }))])), { additionalProperties: false })),
    root_cause_category: Type.Optional(literals(ROOT_CAUSES)),
    warranty_defect: Type.Optional(literals(WARRANTY)),
  },
  { additionalProperties: false },
);
export const ApplyWorkaround = Type.Object(
  { phase: literals(['about_to_execute', 'executed']), version: Type.Optional(Type.Integer({ minimum: 1 })), note: Type.Optional(Type.String({ maxLength: 10_000 })) },
  { additionalProperties: false },
);
export const WorkaroundBody = Type.Object(
  {
    title: Text(300),
    steps: Type.Array(Text(2000), { minItems: 1, maxItems: 100 }),
    applies_to: Type.Optional(Type.Object({ kinds: Type.Optional(Type.Array(Type.String())), rules: Type.Optional(Type.Array(Type.String())), patterns: Type.Optional(Type.Array(Type.String())) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export const Decision = Type.Object({ version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
