import { Type } from 'typebox';
import type { RuleKind } from '../types.ts';
import { raw as rawSql, sql, ts } from '../../storage/sql.ts';
import { minutes, observeRows } from './common.ts';
import { duration } from './response-time.ts';

const SOURCES = { probes: ['probes_1m', 'target'], metrics: ['metrics_1m', 'host'], logs: ['logs_1m', 'host'] } as const;
type Source = keyof typeof SOURCES;

export interface AbsenceParams {
  source: Source;
  periodMs: number;
}

const LOOKBACK_MS = 7 * 86_400_000;

/**
 * Silence: a target, host or log source that reported within the last 7
 * days has sent nothing for `period`. Read from the 1-minute rollups, so the
 * last-seen time is exact to the minute; value is minutes of silence.
 */
export const absence: RuleKind<AbsenceParams> = {
  kind: 'absence',
  unit: 'min',
  schema: Type.Object({ source: Type.Optional(Type.Union(Object.keys(SOURCES).map((s) => Type.Literal(s)))), period: Type.Optional(Type.String()) }),
  resolve(raw, fail) {
    const periodMs = duration(raw.period ?? '5m', 'period', fail);
    if (periodMs < 120_000) throw fail('period', 'must be at least 2m (last-seen times are kept per minute)');
    return { source: (raw.source as Source | undefined) ?? 'probes', periodMs };
  },
  describe: ({ params: p }) => {
    const what = { probes: ['監視対象の計測', 'probe results of the target'], metrics: ['ホストのメトリクス', 'metrics from the host'], logs: ['ホストのログ', 'logs from the host'] }[p.source];
    return { ja: `${what[0]}が ${minutes(p.periodMs)} 以上届いていない`, en: `No ${what[1]} for ${minutes(p.periodMs)}` };
  },
  batchKey: (rule) => rule.params.source,
  async evaluate(rules, ctx) {
    const [table, key] = SOURCES[rules[0]!.params.source];
    const rows = await ctx.storage.query<{ environment: string; name: string; last: number }>(sql`
      SELECT environment, ${rawSql(key)} AS name, toUnixTimestamp(max(time)) * 1000 + 60000 AS last
      FROM ${rawSql(table)} WHERE time > ${ts(ctx.now - LOOKBACK_MS)} GROUP BY environment, name`);
    return observeRows(rules, rows, (r) => ({ environment: r.environment, [key]: r.name }), ({ params: { periodMs } }, r) => {
      const silentMs = Math.max(0, ctx.now - Number(r.last));
      return { value: Math.floor(silentMs / 60_000), threshold: periodMs / 60_000, breaching: silentMs > periodMs };
    });
  },
};
