import { Type } from 'typebox';
import type { RuleKind } from '../types.ts';
import { sql, ts } from '../../storage/sql.ts';
import { minutes, observeRows } from './common.ts';
import { duration } from './response-time.ts';

export interface CpuParams {
  thresholdPercent: number;
  windowMs: number;
}

/** The agreed capacity threshold (item 18): average CPU utilisation of a host over a window. */
export const cpu: RuleKind<CpuParams> = {
  kind: 'cpu',
  unit: '%',
  silenceIsNoData: true,
  schema: Type.Object({ threshold_percent: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100 })), window: Type.Optional(Type.String()) }),
  resolve: (raw, fail) => ({ thresholdPercent: (raw.threshold_percent as number | undefined) ?? 80, windowMs: duration(raw.window ?? '10m', 'window', fail) }),
  describe: ({ params: p }) => ({ ja: `CPU 使用率 (${minutes(p.windowMs)} 平均) が ${p.thresholdPercent}% を超過`, en: `CPU utilisation (${minutes(p.windowMs)} average) above ${p.thresholdPercent}%` }),
  batchKey: (rule) => String(rule.params.windowMs),
  async evaluate(rules, ctx) {
    const rows = await ctx.storage.query<{ environment: string; host: string; avg: number }>(sql`
      SELECT environment, host, avg(value) AS avg FROM metrics
      WHERE name = 'cpu_utilisation_percent' AND labels['cpu'] = 'total' AND timestamp > ${ts(ctx.now - rules[0]!.params.windowMs)}
      GROUP BY environment, host`);
    return observeRows(rules, rows, (r) => ({ environment: r.environment, host: r.host }), ({ params: { thresholdPercent } }, r) => ({ value: Math.round(r.avg * 10) / 10, threshold: thresholdPercent, breaching: r.avg > thresholdPercent }));
  },
};
