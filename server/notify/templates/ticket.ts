import type { Language } from '../config.ts';
import type { Severity } from '../../rules/config.ts';
import type { Message } from '../types.ts';
import { environmentTag, formatDuration, formatTime, severityTag } from './format.ts';

export interface EscalationInput {
  ticket: { number: string; title: string; environment: string; production: boolean; severity: Severity; openedAt: number; link: string; ackLink?: string };
  step: number;
  waitedMs: number;
  timezone: string;
}

export type WorkaroundPhase = 'about_to_execute' | 'executed';

export interface WorkaroundNoticeInput {
  ticket: { number: string; title: string; environment: string; production: boolean; link: string };
  workaround: { id: string; title: string; version: number; steps: string[] };
  phase: WorkaroundPhase;
  actor: string;
  at: number;
  note?: string;
  timezone: string;
}

const TEXT = {
  ja: {
    escalated: (waited: string, step: number) => `未確認のため段階 ${step} へエスカレーション（${waited}経過）`,
    escalationLead: (waited: string) => `このチケットは ${waited} のあいだ確認されていません。対応をお願いします。`,
    ticket: 'チケット',
    environment: (name: string, production: boolean) => `環境: ${name}${production ? '（本番）' : ''}`,
    openedAt: '起票',
    ack: '確認',
    ackHint: '上の確認リンクで確認済みにすると、以降のエスカレーションが止まります。',
    phase: { about_to_execute: '回避策を実行します', executed: '回避策を実行しました' },
    phaseLead: {
      about_to_execute: '財団が承認した次の回避策を、これから実行します（実行前の報告）。',
      executed: '財団が承認した次の回避策を実行しました（実行後の報告）。',
    },
    workaround: (title: string, version: number, id: string) => `回避策: ${title} (第 ${version} 版, ${id})`,
    steps: '手順',
    actor: '実施者',
    at: { about_to_execute: '実行予定時刻', executed: '実行時刻' },
    note: '備考',
  },
  en: {
    escalated: (waited: string, step: number) => `Not acknowledged for ${waited} — escalated (step ${step})`,
    escalationLead: (waited: string) => `Nobody has acknowledged this ticket for ${waited}. Please take it.`,
    ticket: 'Ticket',
    environment: (name: string, production: boolean) => `Environment: ${name}${production && name.toLowerCase() !== 'production' ? ' (production)' : ''}`,
    openedAt: 'Opened',
    ack: 'Acknowledge',
    ackHint: 'Acknowledging with the link above stops escalation.',
    phase: { about_to_execute: 'About to execute workaround', executed: 'Workaround executed' },
    phaseLead: {
      about_to_execute: 'The following foundation-approved workaround is about to be executed (report before execution).',
      executed: 'The following foundation-approved workaround has been executed (report after execution).',
    },
    workaround: (title: string, version: number, id: string) => `Workaround: ${title} (version ${version}, ${id})`,
    steps: 'Steps',
    actor: 'By',
    at: { about_to_execute: 'Planned at', executed: 'Executed at' },
    note: 'Note',
  },
} as const;

/** Mail to the next step of an escalation chain when nobody acknowledged the ticket. */
export function renderEscalation(input: EscalationInput, language: Language): Message {
  const t = TEXT[language];
  const { ticket } = input;
  const waited = formatDuration(input.waitedMs, language);
  const subject = `${environmentTag(ticket.environment, ticket.production, language)}${severityTag(ticket.severity, language)} ${t.escalated(waited, input.step)}: ${ticket.title} (${ticket.number})`;
  const lines = [
    t.escalationLead(waited),
    '',
    `${t.ticket}: ${ticket.number} ${ticket.title}`,
    t.environment(ticket.environment, ticket.production),
    `${t.openedAt}: ${formatTime(ticket.openedAt, input.timezone)}`,
    ticket.link,
  ];
  if (ticket.ackLink) lines.push('', `${t.ack}: ${ticket.ackLink}`, t.ackHint);
  const json = {
    type: 'escalation',
    environment: ticket.environment,
    production: ticket.production,
    severity: ticket.severity,
    step: input.step,
    waited_ms: input.waitedMs,
    summary: subject,
    ticket: { number: ticket.number, title: ticket.title, opened_at: new Date(ticket.openedAt).toISOString(), link: ticket.link, ack_link: ticket.ackLink ?? null },
  };
  return { subject, text: `${lines.join('\n')}\n`, json };
}

/** The report to the foundation before and after a workaround is applied. */
export function renderWorkaroundNotice(input: WorkaroundNoticeInput, language: Language): Message {
  const t = TEXT[language];
  const { ticket, workaround, phase } = input;
  const subject = `${environmentTag(ticket.environment, ticket.production, language)} ${t.phase[phase]}: ${workaround.title} v${workaround.version} (${ticket.number})`;
  const lines = [
    t.phaseLead[phase],
    '',
    t.workaround(workaround.title, workaround.version, workaround.id),
    `${t.steps}:`,
    ...workaround.steps.map((step, i) => `  ${i + 1}. ${step}`),
    '',
    `${t.actor}: ${input.actor}`,
    `${t.at[phase]}: ${formatTime(input.at, input.timezone)}`,
  ];
  if (input.note) lines.push(`${t.note}: ${input.note}`);
  lines.push('', `${t.ticket}: ${ticket.number} ${ticket.title}`, t.environment(ticket.environment, ticket.production), ticket.link);
  const json = {
    type: 'workaround',
    phase,
    environment: ticket.environment,
    production: ticket.production,
    actor: input.actor,
    at: new Date(input.at).toISOString(),
    note: input.note ?? null,
    summary: subject,
    workaround: { id: workaround.id, title: workaround.title, version: workaround.version, steps: workaround.steps },
    ticket: { number: ticket.number, title: ticket.title, link: ticket.link },
  };
  return { subject, text: `${lines.join('\n')}\n`, json };
}
