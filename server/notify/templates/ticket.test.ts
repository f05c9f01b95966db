import { describe, expect, it } from 'vitest';
import { renderEscalation, renderWorkaroundNotice, type WorkaroundNoticeInput } from './ticket.ts';

const ticket = {
  number: 'INC-42',
  title: 'API 応答遅延',
  environment: 'production',
  production: true,
  link: 'https://mimamori.example.jp/tickets/INC-42',
};

describe('escalation template', () => {
  const input = {
    ticket: { ...ticket, severity: 'critical' as const, openedAt: Date.parse('2026-11-26T11:31:05Z'), ackLink: 'https://mimamori.example.jp/ack/abc' },
    step: 2,
    waitedMs: 10 * 60_000,
    timezone: 'Asia/Tokyo',
  };

  it('says in Japanese that nobody acknowledged and which step it reached', () => {
    const m = renderEscalation(input, 'ja');
    expect(m.subject).toBe('[本番][重大] 未確認のため段階 2 へエスカレーション（10分経過）: API 応答遅延 (INC-42)');
    expect(m.text).toContain('起票: 2026-11-26 20:31:05 JST');
    expect(m.text).toContain('確認: https://mimamori.example.jp/ack/abc');
  });

  it('says it in English, with a JSON document for webhooks', () => {
    const m = renderEscalation(input, 'en');
    expect(m.subject).toBe('[PRODUCTION][CRITICAL] Not acknowledged for 10 min — escalated (step 2): API 応答遅延 (INC-42)');
    expect(m.json).toMatchObject({ type: 'escalation', step: 2, waited_ms: 600_000, production: true, ticket: { number: 'INC-42', ack_link: 'https://mimamori.example.jp/ack/abc' } });
  });

  it('names a non-production environment', () => {
    const m = renderEscalation({ ...input, ticket: { ...input.ticket, environment: 'staging', production: false, severity: 'warning' } }, 'ja');
    expect(m.subject.startsWith('[staging][警告] ')).toBe(true);
    expect(m.subject + m.text).not.toContain('本番');
  });
});

describe('workaround notice', () => {
  const input: WorkaroundNoticeInput = {
    ticket,
    workaround: { id: 'wa-7', title: 'API ワーカー再起動', version: 3, steps: ['ワーカーを再起動', '応答を確認'] },
    phase: 'about_to_execute',
    actor: 'sato',
    at: Date.parse('2026-11-26T12:00:00Z'),
    timezone: 'Asia/Tokyo',
  };

  it('reports before execution', () => {
    const m = renderWorkaroundNotice(input, 'ja');
    expect(m.subject).toBe('[本番] 回避策を実行します: API ワーカー再起動 v3 (INC-42)');
    expect(m.text).toContain('実行前の報告');
    expect(m.text).toContain('  1. ワーカーを再起動\n  2. 応答を確認');
    expect(m.text).toContain('実行予定時刻: 2026-11-26 21:00:00 JST');
    expect(m.json).toMatchObject({ type: 'workaround', phase: 'about_to_execute', actor: 'sato', note: null, workaround: { id: 'wa-7', version: 3 } });
  });

  it('reports before execution in English and after execution in Japanese too', () => {
    const before = renderWorkaroundNotice(input, 'en');
    expect(before.subject).toBe('[PRODUCTION] About to execute workaround: API ワーカー再起動 v3 (INC-42)');
    const after = renderWorkaroundNotice({ ...input, phase: 'executed', note: 'p95 が 800 ms に回復' }, 'ja');
    expect(after.subject).toBe('[本番] 回避策を実行しました: API ワーカー再起動 v3 (INC-42)');
    expect(after.text).toContain('p95 が 800 ms に回復');
  });

  it('reports after execution, with the note', () => {
    const m = renderWorkaroundNotice({ ...input, phase: 'executed', note: 'p95 back to 800 ms' }, 'en');
    expect(m.subject).toBe('[PRODUCTION] Workaround executed: API ワーカー再起動 v3 (INC-42)');
    expect(m.text).toContain('report after execution');
    expect(m.text).toContain('Executed at: 2026-11-26 21:00:00 JST');
    expect(m.text).toContain('Note: p95 back to 800 ms');
  });
});
