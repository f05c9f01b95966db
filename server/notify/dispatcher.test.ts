import { describe, expect, it } from 'vitest';
import { Dispatcher, type DispatcherDeps } from './dispatcher.ts';
import type { Deliveries, Outgoing } from './deliveries.ts';
import type { Alert } from '../rules/types.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The dispatcher with a notification log in memory and deliberately slow ticket and context lookups. */
function setup() {
  const sent: Outgoing[] = [];
  const told = new Set<string>();
  const resolvedCalls: string[] = [];
  const noDataCalls: string[] = [];
  const deliveries = {
    has: (r: string, c: string, k: string) => told.has(`${r}|${c}|${k}`),
    lastAlertSent: () => undefined,
    async enqueue(out: Outgoing) {
      await sleep(5); // the queued row being written
      for (const k of out.alertKeys) told.add(`${out.recipient.name}|${out.channel}|${k}`);
      sent.push(out);
      return 'id';
    },
  } as unknown as Deliveries;
  const deps: DispatcherDeps = {
    deliveries,
    timing: { groupWaitMs: { critical: 0, warning: 30_000, info: 60_000 }, groupIntervalMs: 0, repeatIntervalMs: 4 * 3_600_000 },
    recipientsOf: () => [{ name: 'ops', email: ['ops@example.jp'], language: 'ja' }],
    suppression: () => undefined,
    ticketFor: async () => (await sleep(10), 'INC-2026-0001'),
    ticketRef: (number) => ({ number, link: `http://m/${number}` }),
    resolved: async (a) => void resolvedCalls.push(`${a.fingerprint}@${a.since}`),
    noData: async (a) => void noDataCalls.push(`${a.fingerprint}@${a.since}`),
    context: async () => (await sleep(10), { recentLogs: [], workaround: undefined }),
    isProduction: () => true,
    timezone: 'Asia/Tokyo',
    now: Date.now,
    onError: (e) => {
      throw e;
    },
  };
  return { dispatcher: new Dispatcher(deps), sent, resolvedCalls, noDataCalls };
}

const alert = (state: 'firing' | 'nodata' | 'resolved', since: number): Alert => ({
  fingerprint: 'fp1', rule: 'slow', kind: 'response_time', severity: 'critical', labels: { environment: 'production', target: 'portal' }, state, since,
  changedAt: since, value: 6000, threshold: 5000, unit: 'ms', provisional: false, description: { ja: '応答時間が 5000 ms を超過', en: 'Response time above 5000 ms' },
});

describe('dispatcher', () => {
  it('mails a firing alert once even when a tick runs while the transition is still being sent', async () => {
    const { dispatcher, sent } = setup();
    await Promise.all([dispatcher.onTransitions([{ alert: alert('firing', 1000), from: 'inactive' }]), dispatcher.tick(), dispatcher.tick()]);
    await dispatcher.tick();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.alertKeys).toEqual(['fp1@1000:firing']);
  });

  it('after a restart, an earlier resolved episode neither hides the current one nor marks it recovered', async () => {
    const { dispatcher, sent, resolvedCalls } = setup();
    await dispatcher.catchUp([alert('firing', 5000)], [alert('resolved', 1000)]);
    expect(sent.map((s) => s.alertKeys)).toEqual([['fp1@5000:firing']]);
    expect(resolvedCalls).toEqual([]);
  });

  it('a resolve of an old episode arriving late does not end the new one', async () => {
    const { dispatcher, sent } = setup();
    await dispatcher.onTransitions([{ alert: alert('firing', 5000), from: 'inactive' }]);
    await dispatcher.onTransitions([{ alert: alert('resolved', 1000), from: 'firing' }]);
    await dispatcher.tick();
    expect(sent.map((s) => s.alertKeys)).toEqual([['fp1@5000:firing']]);
  });

  it('tells whoever heard of a firing alert that its data stopped, once, and never calls silence a recovery', async () => {
    const { dispatcher, sent, resolvedCalls, noDataCalls } = setup();
    await dispatcher.onTransitions([{ alert: alert('firing', 1000), from: 'inactive' }]);
    await dispatcher.onTransitions([{ alert: alert('nodata', 1000), from: 'firing' }]);
    await dispatcher.tick();
    expect(sent.map((s) => s.alertKeys)).toEqual([['fp1@1000:firing'], ['fp1@1000:nodata']]);
    expect(sent[1]!.message.subject).toContain('データ途絶');
    expect(sent[1]!.message.subject).not.toContain('復旧');
    expect(noDataCalls).toEqual(['fp1@1000']);
    expect(resolvedCalls).toEqual([]);
    // Data back, still above: the same episode fires on without a second firing mail; then a real recovery.
    await dispatcher.onTransitions([{ alert: alert('firing', 1000), from: 'nodata' }]);
    await dispatcher.onTransitions([{ alert: { ...alert('resolved', 1000), value: 4200 }, from: 'firing' }]);
    expect(sent.map((s) => s.alertKeys)).toEqual([['fp1@1000:firing'], ['fp1@1000:nodata'], ['fp1@1000:resolved']]);
    expect(sent[2]!.message.text).toContain('4200 ms');
  });

  it('after a restart, a silent alert whose notice was not sent is told once; one never told firing is not', async () => {
    const first = setup();
    await first.dispatcher.catchUp([alert('nodata', 1000)], []);
    expect(first.sent).toEqual([]); // nobody heard of the firing (e.g. it fired in a maintenance window)
    const second = setup();
    await second.dispatcher.onTransitions([{ alert: alert('firing', 1000), from: 'inactive' }]);
    await second.dispatcher.catchUp([alert('nodata', 1000)], []);
    await second.dispatcher.catchUp([alert('nodata', 1000)], []);
    expect(second.sent.map((s) => s.alertKeys)).toEqual([['fp1@1000:firing'], ['fp1@1000:nodata']]);
  });
});
