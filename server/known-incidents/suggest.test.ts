import { describe, expect, it } from 'vitest';
import type { Evidence } from './evidence.ts';
import { rankSuggestions, type IncidentLink, type TicketSummary } from './suggest.ts';

const NOW = 'INC-2026-0100';
const same = (id: string) => id;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

const summary = (closedAt: number): TicketSummary => ({ title: `closed at ${closedAt}`, workarounds: [], opened_at: closedAt - 60_000, closed_at: closedAt });

type Row = { kind: 'alert' | 'pattern'; key: string; label?: string; count?: number; service?: string };
/** The rows a closed ticket leaves: its `closed` marker, then one per alert or pattern, as KnownIncidents.link writes them. */
function linked(ticket: string, closedAt: number, rows: Row[], environment = 'production', origin = ''): IncidentLink[] {
  const base = { origin, ticket, environment, summary: summary(closedAt), linked_at: closedAt, linked_by: 'ops' };
  return [
    { ...base, kind: 'closed', key: '', service: '', label: '', count: 0 },
    ...rows.map((r) => ({ ...base, kind: r.kind, key: r.key, service: r.service ?? (r.kind === 'pattern' ? 'api' : ''), label: r.label ?? `label of ${r.key}`, count: r.count ?? 1 })),
  ];
}
const pattern = (key: string, count = 10): Row => ({ kind: 'pattern', key, count });
const alert = (key: string, rule = 'slow'): Row => ({ kind: 'alert', key, label: rule });

function current(seen: { alerts?: string[]; patterns?: (string | { id: string; template: string; count: number })[] }, environment = 'production') {
  const evidence: Evidence = {
    alerts: (seen.alerts ?? []).map((fingerprint) => ({ fingerprint, rule: 'slow' })),
    patterns: (seen.patterns ?? []).map((p) => (typeof p === 'string' ? { id: p, service: 'api', template: `template of ${p}`, count: 5 } : { service: 'api', ...p })),
  };
  return { number: NOW, environment, evidence };
}
const order = (s: { ticket: string }[]) => s.map((x) => x.ticket);

describe('rankSuggestions', () => {
  it('scores an alert fingerprint in common 1 and says how many earlier tickets had it', () => {
    const links = [
      ...linked('INC-2026-0001', 1000, [alert('fp-slow', 'slow')]),
      ...linked('INC-2026-0002', 2000, [alert('fp-down', 'down')]),
      ...linked('INC-2026-0003', 3000, [alert('fp-slow', 'slow')]),
    ];
    const got = rankSuggestions(current({ alerts: ['fp-slow'] }), links, same);
    expect(order(got)).toEqual(['INC-2026-0003', 'INC-2026-0001']);
    for (const s of got) {
      expect(s.score).toBe(1);
      expect(s.reasons).toEqual([{ kind: 'alert', fingerprint: 'fp-slow', rule: 'slow', tickets: 2, of: 3 }]);
    }
    expect(got[0]!.summary).toEqual(summary(3000));
  });

  it('adds the share of the earlier ticket\'s patterns seen now to the alert\'s 1', () => {
    // One earlier ticket: both patterns weigh ln(1 + 1/1), so seeing one of two is 0.5.
    const links = linked('INC-2026-0001', 1000, [alert('fp-slow'), pattern('p-timeout', 120), pattern('p-refused', 30)]);
    const [s] = rankSuggestions(current({ alerts: ['fp-slow'], patterns: [{ id: 'p-timeout', template: 'upstream timeout after <DURATION>', count: 40 }] }), links, same);
    expect(s!.score).toBe(1.5);
    expect(s!.reasons).toEqual([
      { kind: 'alert', fingerprint: 'fp-slow', rule: 'slow', tickets: 1, of: 1 },
      { kind: 'pattern', id: 'p-timeout', service: 'api', template: 'upstream timeout after <DURATION>', count_then: 120, count_now: 40, tickets: 1, of: 1 },
    ]);
  });

  it('weighs a pattern by its rarity among linked tickets, ln(1 + N / tickets with it), so a rare match beats a common one', () => {
    // N = 4. `p-common` is around every ticket: ln(1 + 4/4) = ln 2. A pattern of one ticket: ln(1 + 4/1) = ln 5.
    // Unweighted, the oldest ticket's share (2 of 5) would rank it below the others (1 of 2 each).
    const links = [
      ...linked('INC-2026-0001', 1000, [pattern('p-common'), pattern('p-rare'), pattern('p-a1'), pattern('p-a2'), pattern('p-a3')]),
      ...linked('INC-2026-0002', 2000, [pattern('p-common'), pattern('p-b')]),
      ...linked('INC-2026-0003', 3000, [pattern('p-common'), pattern('p-c')]),
      ...linked('INC-2026-0004', 4000, [pattern('p-common'), pattern('p-d')]),
    ];
    const got = rankSuggestions(current({ patterns: ['p-common', 'p-rare'] }), links, same);
    const [ln2, ln5] = [Math.log(2), Math.log(5)];
    expect(order(got)).toEqual(['INC-2026-0001', 'INC-2026-0004', 'INC-2026-0003', 'INC-2026-0002']);
    expect(got.map((s) => s.score)).toEqual([round3((ln2 + ln5) / (ln2 + 4 * ln5)), ...Array(3).fill(round3(ln2 / (ln2 + ln5)))]);
    expect(got.map((s) => s.score)).toEqual([0.323, 0.301, 0.301, 0.301]);
    expect(got[0]!.reasons.map((r) => r.kind === 'pattern' && [r.id, r.tickets, r.of])).toEqual([['p-common', 4, 4], ['p-rare', 1, 4]]);
    expect(got[1]!.reasons.map((r) => r.kind === 'pattern' && [r.id, r.tickets, r.of])).toEqual([['p-common', 4, 4]]);
  });

  it('compares pattern ids after resolve: an id Drain generalised since matches its successor, and counts with it', () => {
    const links = [
      ...linked('INC-2026-0001', 1000, [{ kind: 'pattern', key: 'p-old', label: 'refused card ending 1234', count: 7 }]),
      ...linked('INC-2026-0002', 2000, [pattern('p-new', 9), pattern('p-other')]),
    ];
    const resolve = (id: string) => (id === 'p-old' ? 'p-new' : id);
    const seen = current({ patterns: [{ id: 'p-new', template: 'refused card ending <NUM>', count: 3 }] });
    const got = rankSuggestions(seen, links, resolve);
    expect(order(got)).toEqual(['INC-2026-0001', 'INC-2026-0002']);
    // Both tickets have the resolved pattern: it weighs ln 2, p-other ln 3.
    expect(got.map((s) => s.score)).toEqual([1, round3(Math.log(2) / (Math.log(2) + Math.log(3)))]);
    expect(got[0]!.reasons).toEqual([{ kind: 'pattern', id: 'p-new', service: 'api', template: 'refused card ending <NUM>', count_then: 7, count_now: 3, tickets: 2, of: 2 }]);
    // An old id seen now resolves too.
    expect(order(rankSuggestions(current({ patterns: ['p-old'] }), links, resolve))).toEqual(['INC-2026-0001', 'INC-2026-0002']);
    // Without the alias map the old id is another pattern.
    expect(order(rankSuggestions(seen, links, same))).toEqual(['INC-2026-0002']);
  });

  it('names the linked label when the pattern seen now has no template', () => {
    const links = linked('INC-2026-0001', 1000, [{ kind: 'pattern', key: 'p-1', label: 'disk full on <*>', count: 4 }]);
    const [s] = rankSuggestions(current({ patterns: [{ id: 'p-1', template: '', count: 2 }] }), links, same);
    expect(s!.reasons).toMatchObject([{ kind: 'pattern', template: 'disk full on <*>' }]);
  });

  it('leaves out the ticket itself and tickets of other environments, also from the counts', () => {
    const links = [
      ...linked(NOW, 5000, [alert('fp-slow'), pattern('p-1')]),
      ...linked('INC-2026-0002', 4000, [alert('fp-slow'), pattern('p-1')], 'staging'),
      ...linked('INC-2026-0001', 1000, [alert('fp-slow'), pattern('p-1')]),
    ];
    const got = rankSuggestions(current({ alerts: ['fp-slow'], patterns: ['p-1'] }), links, same);
    expect(order(got)).toEqual(['INC-2026-0001']);
    expect(got[0]!.score).toBe(2);
    expect(got[0]!.reasons.map((r) => [r.kind, r.tickets, r.of])).toEqual([['alert', 1, 1], ['pattern', 1, 1]]);
    expect(order(rankSuggestions(current({ alerts: ['fp-slow'], patterns: ['p-1'] }, 'staging'), links, same))).toEqual(['INC-2026-0002']);
  });

  it('keeps tickets of another origin apart: the same number from another ledger is neither this ticket nor a local one', () => {
    const links = [
      ...linked(NOW, 3000, [pattern('p-1')], 'production', 'learned-state A'),
      ...linked('INC-2026-0001', 2000, [pattern('p-1')], 'production', 'learned-state A'),
      ...linked('INC-2026-0001', 1000, [pattern('p-1'), pattern('p-2')]),
    ];
    const got = rankSuggestions(current({ patterns: ['p-1'] }), links, same);
    expect(got.map((s) => [s.origin, s.ticket, s.score])).toEqual([
      ['learned-state A', NOW, 1],
      ['learned-state A', 'INC-2026-0001', 1],
      ['', 'INC-2026-0001', round3(Math.log(2) / (Math.log(2) + Math.log(4)))],
    ]);
    expect(got[0]!.reasons).toMatchObject([{ kind: 'pattern', id: 'p-1', tickets: 3, of: 3 }]);
  });

  it('suggests nothing when nothing matches, nor a ticket around which nothing was seen', () => {
    const links = [...linked('INC-2026-0001', 1000, [alert('fp-down'), pattern('p-2')]), ...linked('INC-2026-0002', 2000, [])];
    expect(rankSuggestions(current({ alerts: ['fp-slow'], patterns: ['p-1'] }), links, same)).toEqual([]);
    expect(rankSuggestions(current({}), links, same)).toEqual([]);
    expect(rankSuggestions(current({ patterns: ['p-2'] }), [], same)).toEqual([]);
  });

  it('breaks ties by the more recently closed ticket', () => {
    const links = [
      ...linked('INC-2026-0001', 1000, [pattern('p-1')]),
      ...linked('INC-2026-0002', 3000, [pattern('p-1')]),
      ...linked('INC-2026-0003', 2000, [pattern('p-1')]),
    ];
    const got = rankSuggestions(current({ patterns: ['p-1'] }), links, same);
    expect(got.map((s) => [s.ticket, s.score])).toEqual([['INC-2026-0002', 1], ['INC-2026-0003', 1], ['INC-2026-0001', 1]]);
  });

  it('returns at most `limit` suggestions, five unless told, the best first', () => {
    const links = Array.from({ length: 7 }, (_, i) => linked(`INC-2026-000${i + 1}`, (i + 1) * 1000, [pattern('p-1')])).flat();
    const seen = current({ patterns: ['p-1'] });
    expect(order(rankSuggestions(seen, links, same))).toEqual(['INC-2026-0007', 'INC-2026-0006', 'INC-2026-0005', 'INC-2026-0004', 'INC-2026-0003']);
    expect(order(rankSuggestions(seen, links, same, 2))).toEqual(['INC-2026-0007', 'INC-2026-0006']);
    // A better match ranks first even when closed earliest.
    const better = [...links, ...linked('INC-2026-0000', 1, [alert('fp-slow'), pattern('p-1')])];
    expect(order(rankSuggestions(current({ alerts: ['fp-slow'], patterns: ['p-1'] }), better, same, 1))).toEqual(['INC-2026-0000']);
  });
});
