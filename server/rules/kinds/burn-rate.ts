import { Type } from 'typebox';
import type { Observation, Rule, RuleKind } from '../types.ts';
import type { Severity } from '../config.ts';
import { join, raw as rawSql, sql, ts, type Sql } from '../../storage/sql.ts';
import { matches, minutes, probeLabels } from './common.ts';
import { duration } from './response-time.ts';

interface WindowPair {
  longMs: number;
  shortMs: number;
  factor: number;
  severity: Severity;
}

export interface BurnRateParams {
  /** e.g. 99: 99 % of probes succeed in under `thresholdMs`. */
  objectivePercent: number;
  thresholdMs: number;
  pairs: WindowPair[];
}

// The SRE workbook's multi-window, multi-burn-rate scheme for a 30-day SLO:
// pages at 14.4x (1h/5m) and 6x (6h/30m), tickets at 3x (1d/2h) and 1x (3d/6h).
const WORKBOOK: WindowPair[] = [
  { longMs: 3_600_000, shortMs: 300_000, factor: 14.4, severity: 'critical' },
  { longMs: 21_600_000, shortMs: 1_800_000, factor: 6, severity: 'critical' },
  { longMs: 86_400_000, shortMs: 7_200_000, factor: 3, severity: 'warning' },
  { longMs: 259_200_000, shortMs: 21_600_000, factor: 1, severity: 'warning' },
];

/** The 5-second SLO's error budget burning too fast, per target. A probe is bad when it failed or took longer than the threshold. */
export const burnRate: RuleKind<BurnRateParams> = {
  kind: 'burn_rate',
  unit: 'x',
  silenceIsNoData: true,
  schema: Type.Object({
    objective_percent: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 100 })),
    threshold_ms: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    windows: Type.Optional(
      Type.Array(Type.Object({ long: Type.String(), short: Type.String(), factor: Type.Number({ exclusiveMinimum: 0 }), severity: Type.Optional(Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')])) }, { additionalProperties: false }), { minItems: 1 }),
    ),
  }),
  resolve(raw, fail) {
    const windows = raw.windows as { long: string; short: string; factor: number; severity?: Severity }[] | undefined;
    const pairs = windows?.map((w, i) => ({ longMs: duration(w.long, `windows.${i}.long`, fail), shortMs: duration(w.short, `windows.${i}.short`, fail), factor: w.factor, severity: w.severity ?? 'warning' })) ?? WORKBOOK;
    for (const [i, p] of pairs.entries()) if (p.shortMs >= p.longMs) throw fail(`windows.${i}.short`, 'the short window must be shorter than the long one');
    return { objectivePercent: (raw.objective_percent as number | undefined) ?? 99, thresholdMs: (raw.threshold_ms as number | undefined) ?? 5000, pairs };
  },
  describe: ({ params: p }) => ({
    ja: `SLO「${p.objectivePercent}% が ${p.thresholdMs / 1000} 秒以内」のエラーバジェット消費が速すぎる`,
    en: `Error budget of the SLO "${p.objectivePercent}% under ${p.thresholdMs / 1000} s" burning too fast`,
  }),
  batchKey: (rule) => String(rule.params.thresholdMs),
  async evaluate(rules, ctx) {
    const windows = [...new Set(rules.flatMap((r) => r.params.pairs.flatMap((p) => [p.longMs, p.shortMs])))].sort((a, b) => a - b);
    const columns: Sql[] = windows.flatMap((ms) => [
      sql`countIf(timestamp > ${ts(ctx.now - ms)}) AS ${rawSql(`n_${ms}`)}`,
      sql`countIf(timestamp > ${ts(ctx.now - ms)} AND bad) AS ${rawSql(`b_${ms}`)}`,
    ]);
    const rows = await ctx.storage.query<Record<string, number> & { environment: string; target: string }>(sql`
      SELECT environment, target, ${join(columns, ', ')}
      FROM (SELECT environment, target, timestamp, (NOT ok OR total_ms > ${rules[0]!.params.thresholdMs}) AS bad
            FROM probes WHERE timestamp > ${ts(ctx.now - windows.at(-1)!)})
      GROUP BY environment, target`);
    const out = new Map<Rule<BurnRateParams>, Observation[]>();
    for (const rule of rules) {
      const budget = 1 - rule.params.objectivePercent / 100;
      const burn = (row: Record<string, number>, ms: number) => (row[`n_${ms}`]! > 0 ? row[`b_${ms}`]! / row[`n_${ms}`]! / budget : 0);
      const list: Observation[] = [];
      for (const row of rows) {
        const labels = probeLabels(row);
        if (!matches(rule.match, labels)) continue;
        for (const pair of rule.params.pairs) {
          const long = burn(row, pair.longMs);
          const short = burn(row, pair.shortMs);
          list.push({
            labels: { ...labels, slo_window: `${minutes(pair.longMs)}/${minutes(pair.shortMs)}` },
            value: Math.round(Math.min(long, short) * 10) / 10,
            threshold: pair.factor,
            breaching: long > pair.factor && short > pair.factor,
            severity: pair.severity,
          });
        }
      }
      out.set(rule, list);
    }
    return out;
  },
};
