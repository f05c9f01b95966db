import { Type } from 'typebox';
import type { RuleKind } from '../types.ts';
import { sql, ts, typed } from '../../storage/sql.ts';
import { minutes, observeRows } from './common.ts';
import { duration } from './response-time.ts';

export interface HostMetricParams {
  /** A metric of the hosts, e.g. `memory_used_percent`, `load_average`. */
  metric: string;
  /** Only samples with these labels, e.g. `{ period: 5m }` for the 5-minute load average. */
  labels: Record<string, string>;
  threshold: number;
  windowMs: number;
}

const WORDS: Record<string, [string, string]> = {
  memory_used_percent: ['メモリ使用率', 'Memory use'],
  load_average: ['ロードアベレージ', 'Load average'],
};

/**
 * Any host metric against an agreed threshold (item 18: memory and load
 * beside CPU): its average over a window, per host, above `threshold`.
 */
export const hostMetric: RuleKind<HostMetricParams> = {
  kind: 'host_metric',
  unit: '',
  unitOf: (rule) => (rule.params.metric.endsWith('_percent') ? '%' : ''),
  silenceIsNoData: true,
  schema: Type.Object({
    metric: Type.String({ minLength: 1, maxLength: 200 }),
    labels: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 200 }))),
    threshold: Type.Number(),
    window: Type.Optional(Type.String()),
  }),
  resolve: (raw, fail) => ({ metric: raw.metric as string, labels: (raw.labels as Record<string, string> | undefined) ?? {}, threshold: raw.threshold as number, windowMs: duration(raw.window ?? '10m', 'window', fail) }),
  describe: ({ params: p }) => {
    const [ja, en] = WORDS[p.metric] ?? [p.metric, p.metric];
    const which = Object.entries(p.labels).map(([k, v]) => `${k}=${v}`).join(', ');
    const unit = p.metric.endsWith('_percent') ? '%' : '';
    return { ja: `${ja}${which ? ` (${which})` : ''}の ${minutes(p.windowMs)} 平均が ${p.threshold}${unit} を超過`, en: `${en}${which ? ` (${which})` : ''} (${minutes(p.windowMs)} average) above ${p.threshold}${unit}` };
  },
  batchKey: (rule) => `${rule.params.metric}\u0000${JSON.stringify(rule.params.labels)}\u0000${rule.params.windowMs}`,
  async evaluate(rules, ctx) {
    const { metric, labels, windowMs } = rules[0]!.params;
    const keys = Object.keys(labels);
    const rows = await ctx.storage.query<{ environment: string; host: string; avg: number }>(sql`
      SELECT environment, host, avg(value) AS avg FROM metrics
      WHERE name = ${metric} AND timestamp > ${ts(ctx.now - windowMs)}
        AND arrayAll((k, v) -> labels[k] = v, ${typed(keys, 'Array(String)')}, ${typed(keys.map((k) => labels[k]!), 'Array(String)')})
      GROUP BY environment, host`);
    return observeRows(rules, rows, (r) => ({ environment: r.environment, host: r.host }), ({ params: { threshold } }, r) => ({ value: Math.round(r.avg * 100) / 100, threshold, breaching: r.avg > threshold }));
  },
};
