import type { Static } from 'typebox';
import type { NewTicket } from '../../../../server/ledger/schemas.ts';
import { ApiError } from '../../lib/api.ts';
import { t } from '../../lib/i18n.svelte.ts';
import type { MessageKey } from '../../lib/messages.ts';
import { describeProblems } from '../../lib/problems.ts';

/** What POST /api/v1/tickets takes (server/ledger/schemas.ts). */
export type NewTicketBody = Static<typeof NewTicket>;
type Choices = Pick<Required<NewTicketBody>, 'type' | 'severity' | 'channel'>;
type Choice<K extends keyof Choices> = Choices[K];

/** The choices the form offers, in its order (the schema checks them). */
export const TICKET_TYPES: readonly Choice<'type'>[] = ['inquiry', 'incident', 'security'];
export const SEVERITIES: readonly Choice<'severity'>[] = ['critical', 'warning', 'info'];
export const CHANNELS: readonly Choice<'channel'>[] = ['phone', 'mail', 'chat', 'in_person', 'other'];

/** The form as its inputs hold it: empty text is "not given". */
export interface TicketDraft {
  type: Choice<'type'>;
  title: string;
  environment: string;
  severity: Choice<'severity'>;
  description: string;
  reported_by: string;
  channel: '' | Choice<'channel'>;
}

export const blankTicket = (environment = ''): TicketDraft => ({ type: 'inquiry', title: '', environment, severity: 'warning', description: '', reported_by: '', channel: '' });

/** The body to send: texts trimmed, the optional ones left out when empty (the title is sent even so, for the server to name it). */
export function ticketBody(draft: TicketDraft): NewTicketBody {
  const optional = { description: draft.description.trim(), reported_by: draft.reported_by.trim(), channel: draft.channel };
  const given = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== '')) as Partial<NewTicketBody>;
  return { type: draft.type, title: draft.title.trim(), environment: draft.environment.trim(), severity: draft.severity, ...given };
}

const LABELS: Record<keyof TicketDraft, MessageKey> = {
  type: 'incidents.new_type', title: 'incidents.new_title', environment: 'common.environment', severity: 'incidents.new_severity',
  description: 'incidents.new_description', reported_by: 'incidents.new_reported_by', channel: 'incidents.new_channel',
};
export const labelOf = (field: keyof TicketDraft) => t(LABELS[field]);

/**
 * The server's refusal, each detail beside the field it names (a 400 names
 * `body.title`, `body.environment`…): the fields to mark, and the lines to show.
 */
export function ticketProblems(error: unknown, timezone: string): { fields: string[]; lines: string[] } {
  const named = error instanceof ApiError ? error.details.filter((d) => d.field) : [];
  if (!named.length) return { fields: [], lines: describeProblems(error, timezone) };
  const fields = named.map((d) => d.field!.replace(/^body\.?/, ''));
  const lines = named.map((d, i) => `${fields[i]! in LABELS ? labelOf(fields[i] as keyof TicketDraft) : d.field}: ${d.reason}`);
  return { fields, lines };
}
