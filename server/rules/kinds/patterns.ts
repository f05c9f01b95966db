import { Type } from 'typebox';
import type { RuleKind } from '../types.ts';
import { patternCounts } from '../../patterns/queries.ts';
import { minutes, observeRows } from './common.ts';
import { duration } from './response-time.ts';

// Rules on learned log patterns (issue 18), read from the miner's counts:
// they see a line a few seconds after it is stored (the miner's settling).
// Labels carry the pattern id, so each pattern is one alert, one ticket.

const BASELINE_MS = 24 * 3_600_000;

export interface NewPatternParams {
  windowMs: number;
  /** How long a pattern counts as new after it was first seen. */
  newForMs: number;
  minCount: number;
  levels: string[];
}

/** An error (or fatal) pattern never seen before: first seen within `new_for`, at least `min_count` lines in the window. */
export const newErrorPattern: RuleKind<NewPatternParams> = {
  kind: 'new_error_pattern',
  unit: 'count',
  schema: Type.Object({ window: Type.Optional(Type.String()), new_for: Type.Optional(Type.String()), min_count: Type.Optional(Type.Integer({ minimum: 1 })), levels: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })) }),
  resolve: (raw, fail) => ({
    windowMs: duration(raw.window ?? '10m', 'window', fail),
    newForMs: duration(raw.new_for ?? '1h', 'new_for', fail),
    minCount: (raw.min_count as number | undefined) ?? 1,
    levels: (raw.levels as string[] | undefined) ?? ['error', 'fatal'],
  }),
  describe: ({ params: p }) => ({ ja: `初めて現れたエラーログのパターンが ${minutes(p.windowMs)} で ${p.minCount} 件以上`, en: `A never-seen error log pattern, at least ${p.minCount} lines in ${minutes(p.windowMs)}` }),
  batchKey: (rule) => JSON.stringify([rule.params.windowMs, rule.params.newForMs, rule.params.levels]),
  async evaluate(rules, ctx) {
    const { windowMs, newForMs, levels } = rules[0]!.params;
    const fresh = (await patternCounts(ctx.storage, { levels, from: ctx.now - windowMs })).filter((c) => c.first_seen >= ctx.now - newForMs);
    return observeRows(rules, fresh, (r) => ({ environment: r.environment, service: r.service, pattern: r.pattern }), ({ params: { minCount } }, r) => ({ value: r.count, threshold: minCount, breaching: r.count >= minCount }));
  },
};

export interface SurgeParams {
  windowMs: number;
  factor: number;
  minCount: number;
  levels: string[];
}

/** A pattern whose rate in the window is at least `factor` times its rate over the 24 hours before (and at least `min_count` lines). */
export const patternSurge: RuleKind<SurgeParams> = {
  kind: 'pattern_surge',
  unit: 'x',
  schema: Type.Object({ window: Type.Optional(Type.String()), factor: Type.Optional(Type.Number({ exclusiveMinimum: 1 })), min_count: Type.Optional(Type.Integer({ minimum: 1 })), levels: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })) }),
  resolve: (raw, fail) => ({
    windowMs: duration(raw.window ?? '10m', 'window', fail),
    factor: (raw.factor as number | undefined) ?? 5,
    minCount: (raw.min_count as number | undefined) ?? 10,
    levels: (raw.levels as string[] | undefined) ?? ['warn', 'error', 'fatal'],
  }),
  describe: ({ params: p }) => ({ ja: `ログのパターンが ${minutes(p.windowMs)} で平常の ${p.factor} 倍以上（${p.minCount} 件以上）`, en: `A log pattern at ${p.factor}× its usual rate or more over ${minutes(p.windowMs)} (at least ${p.minCount} lines)` }),
  batchKey: (rule) => JSON.stringify([rule.params.windowMs, rule.params.levels]),
  async evaluate(rules, ctx) {
    const { windowMs, levels } = rules[0]!.params;
    const rows = (await patternCounts(ctx.storage, { levels, from: ctx.now - windowMs, baselineMs: BASELINE_MS })).map((r) => {
      // A pattern with no baseline counts as one line over the day: a new pattern is a surge only when it is loud.
      const baseline = Math.max(1, r.before) / BASELINE_MS;
      return { ...r, factor: Math.round((r.count / windowMs / baseline) * 10) / 10 };
    });
    return observeRows(rules, rows, (r) => ({ environment: r.environment, service: r.service, pattern: r.pattern }), ({ params: { factor, minCount } }, r) => ({ value: r.factor, threshold: factor, breaching: r.factor >= factor && r.count >= minCount }));
  },
};
