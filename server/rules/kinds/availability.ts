import { Type } from 'typebox';
import type { RuleKind } from '../types.ts';
import { sql, ts } from '../../storage/sql.ts';
import { latestProbes, minutes, observeRows, probeLabels } from './common.ts';
import { duration } from './response-time.ts';

export interface AvailabilityParams {
  /** Consecutive mode: the newest N probes all failed. */
  consecutive?: number;
  /** Window mode: the share of successful probes in the window fell below `belowPercent`. */
  windowMs?: number;
  belowPercent: number;
}

/** Failed probes of a target: refused, wrong status, missing keyword, timeout. */
export const availability: RuleKind<AvailabilityParams> = {
  kind: 'availability',
  unit: '%',
  silenceIsNoData: true,
  schema: Type.Object({
    consecutive: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
    window: Type.Optional(Type.String()),
    below_percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  }),
  resolve(raw, fail) {
    if (raw.window !== undefined && raw.consecutive !== undefined) throw fail('window', 'give either window or consecutive, not both');
    const windowMs = raw.window === undefined ? undefined : duration(raw.window, 'window', fail);
    return { windowMs, consecutive: windowMs ? undefined : ((raw.consecutive as number | undefined) ?? 2), belowPercent: (raw.below_percent as number | undefined) ?? 99 };
  },
  describe({ params: p }) {
    return p.windowMs
      ? { ja: `可用性 (${minutes(p.windowMs)}) が ${p.belowPercent}% を下回った`, en: `Availability over ${minutes(p.windowMs)} below ${p.belowPercent}%` }
      : { ja: `監視対象が ${p.consecutive} 回連続で応答失敗`, en: `Target failed ${p.consecutive} consecutive probes` };
  },
  batchKey: (rule) => (rule.params.windowMs ? `window:${rule.params.windowMs}` : 'latest'),
  async evaluate(rules, ctx) {
    const windowMs = rules[0]!.params.windowMs;
    if (windowMs) {
      const rows = await ctx.storage.query<{ environment: string; target: string; pct: number }>(sql`
        SELECT environment, target, 100 * countIf(ok) / count() AS pct
        FROM probes WHERE timestamp > ${ts(ctx.now - windowMs)} GROUP BY environment, target`);
      return observeRows(rules, rows, probeLabels, ({ params: { belowPercent } }, r) => ({ value: r.pct, threshold: belowPercent, breaching: r.pct < belowPercent }));
    }
    const latest = await latestProbes(ctx, Math.max(...rules.map((r) => r.params.consecutive ?? 2)));
    return observeRows(rules, [...latest.values()], (readings) => probeLabels(readings[0]!), ({ params: { consecutive: n = 2, belowPercent } }, readings) => {
      const lastN = readings.filter((r) => !r.provisional).slice(0, n);
      const okPct = lastN.length ? (100 * lastN.filter((r) => r.ok).length) / lastN.length : 100;
      return { value: okPct, threshold: belowPercent, breaching: lastN.length === n && lastN.every((r) => !r.ok) };
    });
  },
};
