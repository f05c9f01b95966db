import { describe, expect, it } from 'vitest';
import { applyEvent, canMove, missingForClose, timings, type Ticket, type TicketEvent } from './model.ts';

const event = (seq: number, type: string, data: Record<string, unknown> = {}, at = seq * 1000, actor = 'ops'): TicketEvent => ({ ticket: 'INC-2026-0001', seq, at, type, actor, actorRole: 'operator', data });

function fold(events: TicketEvent[]): Ticket {
  let ticket: Ticket | undefined;
  for (const e of events) ticket = applyEvent(ticket, e);
  return ticket!;
}

describe('ticket fold', () => {
  it('derives status, who acknowledged, MTTA and MTTR from the events alone', () => {
    const t = fold([
      event(1, 'opened', { type: 'incident', source: 'alert', title: 'slow', environment: 'production', severity: 'critical', since: 500 }, 1000, 'mimamori'),
      event(2, 'escalated', { step: 0 }, 61_000),
      event(3, 'status_changed', { from: 'open', to: 'investigating' }, 121_000, '佐藤'),
      event(4, 'alert_resolved', {}, 200_000, 'mimamori'),
      event(5, 'status_changed', { from: 'investigating', to: 'resolved' }, 601_000, '佐藤'),
    ]);
    expect(t.status).toBe('resolved');
    expect(t.acknowledgedBy).toBe('佐藤');
    expect(t.escalated).toEqual([0]);
    expect(t.alertFiring).toBe(false);
    expect(timings(t)).toEqual({ mtta_ms: 120_000, mttr_ms: 600_000 });
  });

  it('lists every field closing still needs, with the two extra ones for security incidents', () => {
    const base = fold([event(1, 'opened', { type: 'security', source: 'manual', title: 'x', environment: 'production', severity: 'critical' })]);
    expect(missingForClose(base)).toEqual(['event', 'cause', 'impact', 'interim_fix', 'permanent_fix', 'spread_prevention', 'recurrence_prevention', 'root_cause_category', 'warranty_defect']);
    applyEvent(base, event(2, 'report_updated', { report: { event: 'e', cause: 'c', impact: ' ', interim_fix: 'i', permanent_fix: 'p', spread_prevention: 's', recurrence_prevention: 'r' }, root_cause_category: 'security', warranty_defect: 'undecided' }));
    expect(missingForClose(base)).toEqual(['impact', 'warranty_defect']);
  });

  it('moves only forward, may reopen a resolved ticket, and never leaves closed', () => {
    expect(canMove('open', 'investigating')).toBe(true);
    expect(canMove('investigating', 'acknowledged')).toBe(false);
    expect(canMove('resolved', 'investigating')).toBe(true);
    expect(canMove('closed', 'investigating')).toBe(false);
    expect(canMove('open', 'open')).toBe(false);
  });
});
