import type { TicketEvent } from './types.ts';
import { t } from '../../lib/i18n.svelte.ts';
import { formatTime } from '../../lib/format.ts';
import type { MessageKey } from '../../lib/messages.ts';

/** The report fields as the page labels them (ticket.event, ticket.cause, …). */
const REPORT_LABELS: Record<string, MessageKey> = {
  event: 'ticket.event', cause: 'ticket.cause', impact: 'ticket.impact', interim_fix: 'ticket.interim_fix', permanent_fix: 'ticket.permanent_fix',
  spread_prevention: 'ticket.spread_prevention', recurrence_prevention: 'ticket.recurrence_prevention', root_cause_category: 'ticket.root_cause', warranty_defect: 'ticket.warranty',
};

/** A key of the catalogue built from a code, or the code itself when the catalogue has no such word. */
function word(prefix: string, code: unknown): string {
  const key = `${prefix}.${String(code)}` as MessageKey;
  const text = t(key);
  return text === key ? String(code ?? '') : text;
}

const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? (Math.round(value * 10) / 10).toLocaleString('en-US') : '—');

/** What kind of event, in words (the first column of the timeline). */
export function eventTitle(e: TicketEvent): string {
  return word('event', e.type);
}

/**
 * One event of a ticket as a sentence in the reader's language, with times
 * in the configured zone: what people read instead of the stored JSON.
 */
export function describeEvent(e: TicketEvent, timezone: string): string {
  const d = e.data;
  const time = (ms: unknown) => (typeof ms === 'number' ? formatTime(ms, timezone) : '—');
  const withNote = (text: string) => (typeof d.note === 'string' && d.note ? `${text} — ${d.note}` : text);
  switch (e.type) {
    case 'opened': {
      if (d.source === 'alert') return t('event.opened_alert', { rule: String(d.rule ?? ''), value: number(d.value), threshold: number(d.threshold), since: time(d.since) });
      const parts = [t('event.opened_manual', { type: word('ticket.type', d.type), severity: word('ticket.severity', d.severity) })];
      if (d.reported_by) parts.push(t('event.reported_by', { who: String(d.reported_by) }));
      if (d.channel) parts.push(t('event.received_by', { channel: word('ticket.channel', d.channel) }));
      return parts.join(' · ');
    }
    case 'alert_fired':
      return t('event.fired_again', { value: number(d.value), threshold: number(d.threshold), since: time(d.since) });
    case 'alert_resolved':
      return t('event.resolved_at', { at: time(d.resolved_at ?? e.at) });
    case 'alert_nodata':
      return t('event.no_data', { at: time(d.silent_since ?? e.at), value: number(d.value), threshold: number(d.threshold) });
    case 'status_changed':
      return withNote(t('event.status_from_to', { from: word('status', d.from), to: word('status', d.to) }));
    case 'report_updated': {
      const fields = [...Object.keys((d.report as Record<string, unknown> | undefined) ?? {}), ...['root_cause_category', 'warranty_defect'].filter((k) => d[k] !== undefined)];
      return t('event.report_fields', { fields: fields.map((f) => (REPORT_LABELS[f] ? t(REPORT_LABELS[f]) : f)).join(', ') });
    }
    case 'note':
      return String(d.text ?? '');
    case 'escalated':
      return t('event.escalated_to', { step: Number(d.step) + 1, recipient: String(d.recipient ?? ''), channel: word('event.channel', d.channel) });
    case 'workaround':
      return withNote(t(`event.workaround_phase.${d.phase === 'executed' ? 'executed' : 'about_to_execute'}`, { id: String(d.workaround ?? ''), version: String(d.version ?? '') }));
    default:
      return '';
  }
}
