import { Type } from 'typebox';
import type { RuleKind } from '../types.ts';
import { sql, ts } from '../../storage/sql.ts';
import { minutes, observeRows } from './common.ts';
import { duration } from './response-time.ts';

export interface LogErrorsParams {
  windowMs: number;
  /** Alert when at least this many matching lines arrived in the window. */
  minCount: number;
  levels: string[];
  /** Case-insensitive text the line must contain. */
  pattern?: string;
}

/** Error lines of a service (item 18): count of error-level lines, or of a text pattern, in a window. */
export const logErrors: RuleKind<LogErrorsParams> = {
  kind: 'log_errors',
  unit: 'count',
  schema: Type.Object({
    window: Type.Optional(Type.String()),
    min_count: Type.Optional(Type.Integer({ minimum: 1 })),
    levels: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
    pattern: Type.Optional(Type.String({ minLength: 1 })),
  }),
  resolve: (raw, fail) => ({
    windowMs: duration(raw.window ?? '5m', 'window', fail),
    minCount: (raw.min_count as number | undefined) ?? 1,
    levels: (raw.levels as string[] | undefined) ?? (raw.pattern ? ['debug', 'info', 'warn', 'error', 'fatal'] : ['error', 'fatal']),
    pattern: raw.pattern as string | undefined,
  }),
  describe: ({ params: p }) =>
    p.pattern
      ? { ja: `ログに「${p.pattern}」が ${minutes(p.windowMs)} で ${p.minCount} 件以上`, en: `"${p.pattern}" in the logs at least ${p.minCount} times in ${minutes(p.windowMs)}` }
      : { ja: `エラーログが ${minutes(p.windowMs)} で ${p.minCount} 件以上`, en: `At least ${p.minCount} error log lines in ${minutes(p.windowMs)}` },
  batchKey: (rule) => JSON.stringify([rule.params.windowMs, rule.params.levels, rule.params.pattern ?? '']),
  async evaluate(rules, ctx) {
    const { windowMs, levels, pattern } = rules[0]!.params;
    const rows = await ctx.storage.query<{ environment: string; service: string; count: number }>(sql`
      SELECT environment, service, count() AS count FROM logs
      WHERE timestamp > ${ts(ctx.now - windowMs)} AND level IN ${levels}
        AND (${pattern ?? ''} = '' OR positionCaseInsensitiveUTF8(message, ${pattern ?? ''}) > 0)
      GROUP BY environment, service`);
    return observeRows(rules, rows, (r) => ({ environment: r.environment, service: r.service }), ({ params: { minCount } }, r) => ({ value: r.count, threshold: minCount, breaching: r.count >= minCount }));
  },
};
