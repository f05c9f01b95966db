import { Type } from 'typebox';
import type { RuleKind } from '../types.ts';
import { parseDurationMs } from '../../../lib/units.ts';
import { sql, ts } from '../../storage/sql.ts';
import { latestProbes, minutes, observeRows, probeLabels } from './common.ts';

const STATISTICS = ['p95', 'p99', 'max', 'avg'] as const;
type Statistic = (typeof STATISTICS)[number];

export interface ResponseTimeParams {
  thresholdMs: number;
  /** Consecutive mode: the newest N probes are all slower than the threshold. */
  consecutive?: number;
  /** Window mode: a statistic of every probe in the window. */
  windowMs?: number;
  statistic: Statistic;
}

/** The 5-second target (item 22): slow answers of a target, by consecutive probes or a window statistic. */
export const responseTime: RuleKind<ResponseTimeParams> = {
  kind: 'response_time',
  unit: 'ms',
  silenceIsNoData: true,
  schema: Type.Object({
    threshold_ms: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    consecutive: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
    window: Type.Optional(Type.String()),
    statistic: Type.Optional(Type.Union(STATISTICS.map((s) => Type.Literal(s)))),
  }),
  resolve(raw, fail) {
    if (raw.window !== undefined && raw.consecutive !== undefined) throw fail('window', 'give either window (a statistic over time) or consecutive (the newest N probes), not both');
    const windowMs = raw.window === undefined ? undefined : duration(raw.window, 'window', fail);
    return { thresholdMs: (raw.threshold_ms as number | undefined) ?? 5000, windowMs, consecutive: windowMs ? undefined : ((raw.consecutive as number | undefined) ?? 1), statistic: (raw.statistic as Statistic | undefined) ?? 'p95' };
  },
  describe({ params: p }) {
    if (p.windowMs) return { ja: `応答時間 ${p.statistic} (${minutes(p.windowMs)}) が ${p.thresholdMs} ms を超過`, en: `Response time ${p.statistic} over ${minutes(p.windowMs)} above ${p.thresholdMs} ms` };
    const n = p.consecutive ?? 1;
    return n === 1
      ? { ja: `応答時間が ${p.thresholdMs} ms を超過`, en: `Response time above ${p.thresholdMs} ms` }
      : { ja: `応答時間が ${n} 回連続で ${p.thresholdMs} ms を超過`, en: `Response time above ${p.thresholdMs} ms for ${n} consecutive probes` };
  },
  batchKey: (rule) => (rule.params.windowMs ? `window:${rule.params.windowMs}` : 'latest'),
  async evaluate(rules, ctx) {
    const windowMs = rules[0]!.params.windowMs;
    if (windowMs) {
      const rows = await ctx.storage.query<{ environment: string; target: string } & Record<Statistic, number>>(sql`
        SELECT environment, target, quantile(0.95)(total_ms) AS p95, quantile(0.99)(total_ms) AS p99, max(total_ms) AS max, avg(total_ms) AS avg
        FROM probes WHERE timestamp > ${ts(ctx.now - windowMs)} GROUP BY environment, target`);
      return observeRows(rules, rows, probeLabels, ({ params: { thresholdMs, statistic } }, r) => ({ value: r[statistic], threshold: thresholdMs, breaching: r[statistic] > thresholdMs }));
    }
    const latest = await latestProbes(ctx, Math.max(...rules.map((r) => r.params.consecutive ?? 1)));
    return observeRows(rules, [...latest.values()], (readings) => probeLabels(readings[0]!), ({ params: { consecutive: n = 1, thresholdMs } }, readings) => {
      const lastN = readings.slice(0, n);
      // A marker says "at least its value so far": slow for this rule only if that already reaches the rule's threshold.
      const slow = lastN.length === n && lastN.every((r) => (r.provisional ? r.totalMs >= thresholdMs : r.totalMs > thresholdMs));
      return { value: Math.min(...lastN.map((r) => r.totalMs)), threshold: thresholdMs, breaching: slow, provisional: lastN.some((r) => r.provisional) };
    });
  },
};

export function duration(value: unknown, field: string, fail: (field: string, reason: string) => Error): number {
  try {
    return parseDurationMs(String(value));
  } catch (error) {
    throw fail(field, (error as Error).message);
  }
}
