import { describe, expect, it } from 'vitest';
import type { Alert } from '../../rules/types.ts';
import type { AlertNotice } from '../types.ts';
import { renderAlert } from './alert.ts';

const since = Date.parse('2026-11-26T11:31:05Z');

function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    fingerprint: 'fp-1',
    rule: 'api-latency',
    kind: 'probe_latency',
    severity: 'critical',
    labels: { environment: 'production', target: 'api-1' },
    state: 'firing',
    since,
    changedAt: since,
    value: 6012,
    threshold: 5000,
    unit: 'ms',
    provisional: false,
    description: { ja: '応答時間 (直近 1 回) が 5000 ms 超', en: 'response time (last probe) above 5000 ms' },
    ...overrides,
  };
}

function notice(overrides: Partial<AlertNotice> = {}): AlertNotice {
  return {
    environment: 'production',
    production: true,
    rule: 'api-latency',
    firing: [alert()],
    resolved: [],
    ticket: { number: 'INC-42', link: 'https://mimamori.example.jp/tickets/INC-42', ackLink: 'https://mimamori.example.jp/ack/abc' },
    recentLogs: [],
    timezone: 'Asia/Tokyo',
    repeat: false,
    ...overrides,
  };
}

describe('alert template', () => {
  it('makes a production alert unmistakable in Japanese', () => {
    const m = renderAlert(notice(), 'ja');
    expect(m.subject).toBe('[本番][重大] 発生: 応答時間 (直近 1 回) が 5000 ms 超 — api-1 (INC-42)');
    expect(m.text).toContain('計測値: 6012 ms (しきい値 5000 ms)');
    expect(m.text).toContain('発生時刻: 2026-11-26 20:31:05 JST');
    expect(m.text).toContain('チケット: INC-42  https://mimamori.example.jp/tickets/INC-42');
    expect(m.text).toContain('確認: https://mimamori.example.jp/ack/abc');
    expect(m.text).toContain('エスカレーションが止まります');
    expect(m.text).toContain('ラベル: environment=production, target=api-1');
  });

  it('says PRODUCTION in English, and the same in the webhook document', () => {
    const m = renderAlert(notice({ firing: [alert(), alert({ fingerprint: 'fp-2', labels: { target: 'api-2' } })] }), 'en');
    expect(m.subject).toBe('[PRODUCTION][CRITICAL] FIRING: response time (last probe) above 5000 ms — api-1 and 1 more (INC-42)');
    expect(m.text).toContain('Measured: 6012 ms (threshold 5000 ms)');
    expect(m.text).toContain('Since: 2026-11-26 20:31:05 JST');
    expect(m.json).toMatchObject({
      type: 'alert',
      status: 'firing',
      environment: 'production',
      production: true,
      severity: 'critical',
      rule: 'api-latency',
      summary: m.subject,
      ticket: { number: 'INC-42', link: 'https://mimamori.example.jp/tickets/INC-42', ack_link: 'https://mimamori.example.jp/ack/abc' },
    });
    expect((m.json.alerts as unknown[])[0]).toEqual({
      fingerprint: 'fp-1',
      labels: { environment: 'production', target: 'api-1' },
      value: 6012,
      threshold: 5000,
      unit: 'ms',
      provisional: false,
      since: '2026-11-26T11:31:05.000Z',
      state: 'firing',
    });
  });

  it('names a staging environment and never says 本番', () => {
    const m = renderAlert(notice({ environment: 'staging', production: false, firing: [alert({ severity: 'warning' })] }), 'ja');
    expect(m.subject.startsWith('[staging][警告] 発生: ')).toBe(true);
    expect(`${m.subject}${m.text}`).not.toContain('本番');
  });

  it('tells when it recovered and how long it lasted', () => {
    const resolved = alert({ state: 'resolved', changedAt: since + 13 * 60_000 + 55_000 });
    const ja = renderAlert(notice({ firing: [], resolved: [resolved] }), 'ja');
    expect(ja.subject).toBe('[本番][重大] 復旧: 応答時間 (直近 1 回) が 5000 ms 超 — api-1 (INC-42)');
    expect(ja.text).toContain('復旧時刻: 2026-11-26 20:45:00 JST（継続時間 13分55秒）');
    expect(ja.text).not.toContain('エスカレーション');
    const en = renderAlert(notice({ firing: [], resolved: [resolved] }), 'en');
    expect(en.subject).toContain('RESOLVED');
    expect(en.text).toContain('Resolved at: 2026-11-26 20:45:00 JST (lasted 13 min 55 s)');
    expect(en.json.status).toBe('resolved');
  });

  it('says a probe past its threshold is still waiting', () => {
    const waiting = notice({ firing: [alert({ value: 5000, provisional: true })] });
    expect(renderAlert(waiting, 'ja').text).toContain('計測値: ≥ 5000 ms（応答待ち） (しきい値 5000 ms)');
    expect(renderAlert(waiting, 'en').text).toContain('Measured: ≥ 5000 ms (still waiting) (threshold 5000 ms)');
  });

  it('lists the approved workaround and reminds that only approved steps may be applied', () => {
    const m = renderAlert(notice({ workaround: { id: 'wa-7', title: 'API ワーカー再起動', version: 3, steps: ['ワーカーを再起動', '応答を確認'] } }), 'ja');
    expect(m.text).toContain('■ 承認済みの回避策: API ワーカー再起動 (第 3 版)\n  1. ワーカーを再起動\n  2. 応答を確認');
    expect(m.text).toContain('財団が承認した手順のみ');
  });

  it('shows at most ten recent log lines, each cut to 300 characters', () => {
    const logs = Array.from({ length: 12 }, (_, i) => ({
      timestamp: '2026-11-26 11:31:00.123',
      level: 'error',
      service: 'api',
      host: 'web-1',
      message: i === 0 ? `timeout\n${'x'.repeat(1000)}` : `line ${i}`,
    }));
    const m = renderAlert(notice({ recentLogs: logs }), 'en');
    const lines = m.text.split('\n').filter((l) => l.startsWith('2026-11-26 20:31:00 JST ERROR api web-1'));
    expect(lines).toHaveLength(10);
    expect(Array.from(lines[0]!)).toHaveLength(300);
    expect(lines[0]!.endsWith('…')).toBe(true);
    expect(lines[0]).toContain('timeout xxx');
  });

  it('reminds that a repeated alert is still firing', () => {
    expect(renderAlert(notice({ repeat: true }), 'ja').text).toContain('再通知');
    expect(renderAlert(notice({ repeat: true }), 'en').text).toContain('Reminder: this alert is still firing.');
    expect(renderAlert(notice(), 'en').text).not.toContain('Reminder');
  });

  it('says a silent firing alert has no data, in both languages, and never calls it recovered', () => {
    const silent = alert({ kind: 'cpu', unit: '%', value: 86.2, threshold: 80, labels: { environment: 'production', host: 'web-1' }, state: 'nodata', changedAt: since + 600_000, description: { ja: 'CPU 使用率 (10m 平均) が 80% を超過', en: 'CPU utilisation (10m average) above 80%' } });
    const ja = renderAlert(notice({ firing: [], noData: [silent] }), 'ja');
    expect(ja.subject).toBe('[本番][重大] データ途絶: CPU 使用率 (10m 平均) が 80% を超過 — web-1 (INC-42)');
    expect(ja.text).toContain('復旧ではありません');
    expect(ja.text).toContain('最後の計測値: 86.2% (しきい値 80%)');
    expect(ja.text).toContain('データ途絶: 2026-11-26 20:41:05 JST から');
    expect(ja.text).not.toMatch(/復旧時刻|アラートは復旧しました/);
    const en = renderAlert(notice({ firing: [], noData: [silent] }), 'en');
    expect(en.subject).toBe('[PRODUCTION][CRITICAL] NO DATA: CPU utilisation (10m average) above 80% — web-1 (INC-42)');
    expect(en.text).toContain('Last measured: 86.2% (threshold 80%)');
    expect(en.text).toContain('This is not a recovery.');
    expect(en.json).toMatchObject({ status: 'nodata', alerts: [{ state: 'nodata', value: 86.2 }] });
  });

  it('says an alert whose rule was removed ended without a measured recovery', () => {
    const retired = alert({ state: 'resolved', value: Number.NaN, changedAt: since + 60_000 });
    const ja = renderAlert(notice({ firing: [], resolved: [retired] }), 'ja');
    expect(ja.subject).toBe('[本番][重大] 終了: 応答時間 (直近 1 回) が 5000 ms 超 — api-1 (INC-42)');
    expect(ja.text).toContain('ルールが設定から外れたため。計測値による復旧ではありません');
    expect(ja.text).not.toContain('計測値: ');
    const en = renderAlert(notice({ firing: [], resolved: [retired] }), 'en');
    expect(en.subject).toContain('ENDED:');
    expect(en.json).toMatchObject({ status: 'ended', alerts: [{ value: null }] });
  });

  it('a target-down mail says what each of the newest probes answered, in both languages', () => {
    const down = alert({ kind: 'availability', unit: '%', value: 0, threshold: 99, description: { ja: '監視対象が 2 回連続で失敗', en: 'Target failed 2 probes in a row' } });
    const recentProbes = [
      { at: since, ok: false, status: 500, error: 'HTTP 500 Internal Server Error', total_ms: 7 },
      { at: since - 30_000, ok: false, status: 0, error: 'connect ECONNREFUSED 127.0.0.1:8081', total_ms: 1 },
      { at: since - 60_000, ok: true, status: 200, error: '', total_ms: 180 },
    ];
    const ja = renderAlert(notice({ firing: [down], recentProbes }), 'ja');
    expect(ja.text).toContain('■ この監視対象の直近の計測 (3 件、新しい順)');
    expect(ja.text).toContain('2026-11-26 20:31:05 JST  失敗  HTTP 500  7 ms  HTTP 500 Internal Server Error');
    expect(ja.text).toContain('失敗  応答なし  1 ms  connect ECONNREFUSED 127.0.0.1:8081');
    expect(ja.text).toContain('成功  HTTP 200  180 ms');
    const en = renderAlert(notice({ firing: [down], recentProbes }), 'en');
    expect(en.text).toContain('FAILED  no answer  1 ms  connect ECONNREFUSED');
    expect(en.text).not.toContain('Recent logs'); // no log lines were given for a target
  });
});
