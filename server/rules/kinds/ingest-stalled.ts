import { Type } from 'typebox';
import type { Rule, RuleKind } from '../types.ts';
import { minutes } from './common.ts';

export interface IngestStalledParams {
  /** Rows accepted but not loaded for this long, with no load succeeding meanwhile. */
  afterMs: number;
}

/**
 * Built in, not configurable: Mimamori's own loader has accepted rows it
 * cannot get into ClickHouse. It reads the writer's state in memory, not a
 * table, so it speaks even when the table it watches is the one refusing.
 * Value: seconds since the loader last made progress while rows waited.
 */
export const ingestStalled: RuleKind<IngestStalledParams> & { builtIn: true } = {
  kind: 'ingest_stalled',
  builtIn: true,
  unit: 's',
  schema: Type.Object({}),
  resolve: () => ({ afterMs: 60_000 }),
  describe: ({ params: p }) => ({
    ja: `受け付けた行が ${minutes(p.afterMs)} 以上 ClickHouse に書き込まれていない`,
    en: `Accepted rows not loaded into ClickHouse for ${minutes(p.afterMs)}`,
  }),
  batchKey: () => 'self',
  async evaluate(rules, ctx) {
    const lag = ctx.ingestLag?.() ?? [];
    return new Map(
      rules.map((rule) => [
        rule,
        lag.map(({ table, environment, stalledMs }) => ({
          labels: { environment, table },
          value: Math.floor(stalledMs / 1000),
          threshold: rule.params.afterMs / 1000,
          breaching: stalledMs > rule.params.afterMs,
        })),
      ]),
    );
  },
};

/** The built-in rule every server evaluates, whatever `rules:` says. */
export function builtInRules(stallAfterMs: number): Rule[] {
  return [{ name: 'mimamori-ingest-stalled', kind: ingestStalled.kind, severity: 'critical', forMs: 0, match: {}, notify: [], params: { afterMs: stallAfterMs } }];
}
