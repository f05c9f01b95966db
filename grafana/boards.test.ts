// Every board's SQL, expanded as Grafana and the ClickHouse plugin expand it
// (macros.ts), run on the real engine over seeded rows (seed.ts): each query
// runs, returns what its panel draws, long ranges read the hourly rollups,
// and a few panels give answers worked out by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../test/helpers/runtime.ts';
import { raw } from '../server/storage/sql.ts';
import { boards } from './boards/index.ts';
import type { Board, SqlPanel } from './boards/kit.ts';
import { ALL, interpolate, type VariableState } from './macros.ts';
import { DAY, NOW, TOKYO_OFFSET_MS, seed } from './seed.ts';
import { intervalFor, panelRange, resolveRange, type Range } from './time-range.ts';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime({ yaml: 'agent: { enabled: false }\nrules: []\n', now: () => NOW });
  await seed(rt.storage);
}, 120_000);
afterAll(async () => rt?.close());

type Row = Record<string, unknown>;
const run = (text: string) => rt.storage.query<Row>(raw(text));
const columnsOf = (text: string) => rt.storage.query<{ name: string; type: string }>(raw(`DESCRIBE (${text})`));
const boardNamed = (uid: string) => boards.find((b) => b.uid === `mimamori-${uid}`)!;
const panelNamed = (board: Board, title: string) => (board.panels.find((p) => p.title === title) ?? board.panels.find((p) => p.title.startsWith(title)))!;
const defaultRange = (board: Board) => resolveRange(board.time!, NOW, TOKYO_OFFSET_MS);

/** The variables as Grafana fills them, in order: options from each query, first option or All selected unless `chosen`. */
async function variablesOf(board: Board, range: Range, chosen: Record<string, string | string[]> = {}) {
  const states: Record<string, VariableState> = {};
  for (const variable of board.templating.list) {
    const current = variable.current?.value;
    if (variable.type !== 'query') {
      states[variable.name] = { value: chosen[variable.name] ?? current! };
      continue;
    }
    const rawSql = (variable.query as { rawSql: string }).rawSql;
    const rows = await run(interpolate(rawSql, { ...range, intervalMs: 1000, variables: states }));
    const options = rows.map((row) => String(Object.values(row)[0]));
    states[variable.name] = { value: chosen[variable.name] ?? (variable.includeAll ? [ALL] : options[0]!), options };
  }
  return states;
}

async function expand(board: Board, panel: SqlPanel, chosen: Record<string, string | string[]> = {}, boardRange = defaultRange(board), intervalMs?: number) {
  const range = panelRange(panel, boardRange, NOW, TOKYO_OFFSET_MS);
  const variables = await variablesOf(board, boardRange, chosen); // variables follow the dashboard's range, not a panel's own
  const scope = { ...range, intervalMs: intervalMs ?? intervalFor(panel, range), variables };
  return panel.targets.map((target) => interpolate(target.rawSql, scope));
}

async function answer(uid: string, title: string, chosen: Record<string, string | string[]> = {}, range?: Range, intervalMs?: number) {
  const board = boardNamed(uid);
  const [text] = await expand(board, panelNamed(board, title), chosen, range ?? defaultRange(board), intervalMs);
  return run(text!);
}

const NUMERIC = /^(Nullable\()?(U?Int\d+|Float\d+|Decimal)/;
const DATETIME = /^DateTime(64)?\b/;
const TEXT = /^(LowCardinality\()?(Nullable\()?String/;
const tablesRead = (text: string) => [...text.matchAll(/\bFROM\s+([A-Za-z_][\w.]*)/g)].map((m) => m[1]!);
const HOURLY_OR_LOG_COUNTS = ['probes_1h', 'metrics_1h', 'logs_1m']; // logs have no hourly rollup (migration 003)

describe.each(boards.map((b) => [b.uid, b] as const))('board %s', (_uid, board) => {
  it('fills each variable from its query', async () => {
    const states = await variablesOf(board, defaultRange(board));
    for (const variable of board.templating.list.filter((v) => v.type === 'query')) {
      expect(states[variable.name]!.options!.length, variable.name).toBeGreaterThan(0);
    }
  });

  it.each(board.panels.map((p) => [p.title, p] as const))('%s: runs and returns what the panel draws', async (_title, panel) => {
    const range = panelRange(panel, defaultRange(board), NOW, TOKYO_OFFSET_MS);
    for (const text of await expand(board, panel)) {
      expect(text).not.toMatch(/\$/);
      const columns = await columnsOf(text);
      const rows = await run(text);
      expect(rows.length, 'the seeded rows show').toBeGreaterThan(0);
      if (panel.type === 'timeseries') {
        expect(columns[0]).toMatchObject({ name: 'time', type: expect.stringMatching(DATETIME) });
        const rest = columns.slice(1);
        const labels = rest.findIndex((c) => !TEXT.test(c.type));
        expect(labels, 'label columns, then values').toBeGreaterThanOrEqual(0);
        expect(rest.slice(labels).every((c) => NUMERIC.test(c.type)), JSON.stringify(rest)).toBe(true);
        const times = rows.map((r) => Date.parse(`${String(r.time).replace(' ', 'T')}Z`));
        expect(times).toEqual([...times].sort((a, b) => a - b)); // sqlds widens long frames sorted by time
      } else if (panel.type === 'stat') {
        expect(rows).toHaveLength(1);
        expect(columns.every((c) => NUMERIC.test(c.type)), JSON.stringify(columns)).toBe(true);
      } else {
        expect(columns.every((c) => /^[a-z][a-z0-9_]*$/.test(c.name)), JSON.stringify(columns)).toBe(true);
      }
      // Each column a unit override names exists, so no unit silently goes unused.
      const names = columns.map((c) => c.name);
      for (const override of panel.fieldConfig?.overrides ?? []) expect(names).toContain(override.matcher.options);
      const tables = tablesRead(text);
      expect(tables.length).toBeGreaterThan(0);
      if (range.to - range.from > 2 * 86_400_000) expect(HOURLY_OR_LOG_COUNTS, `tables of a long range: ${tables}`).toEqual(expect.arrayContaining(tables));
    }
  });
});

describe('the variables', () => {
  it('offer each environment, and the targets, hosts and services of the chosen one', async () => {
    const slo = await variablesOf(boardNamed('slo'), DAY);
    expect(slo.environment).toEqual({ value: 'production', options: ['production', 'staging'] });
    expect(slo.target).toEqual({ value: [ALL], options: ['api', 'portal'] });
    expect((await variablesOf(boardNamed('slo'), DAY, { environment: 'staging' })).target!.options).toEqual(['portal']);
    expect((await variablesOf(boardNamed('capacity'), DAY)).host!.options).toEqual(['db-1', 'web-1']);
    const logs = await variablesOf(boardNamed('logs'), DAY);
    expect([logs.host!.options, logs.service!.options]).toEqual([['web-1', 'web-2'], ['api', 'web']]);
  });
});

describe('SLO and response times', () => {
  const portal = { target: ['portal'] };

  it('reads the minute rollup up to two days and the hourly one beyond', async () => {
    const board = boardNamed('slo');
    expect((await variablesOf(board, DAY)).probe_rollup!.value).toBe('probes_1m');
    expect((await variablesOf(board, defaultRange(board))).probe_rollup!.value).toBe('probes_1h');
    const [text] = await expand(board, panelNamed(board, 'Answered within'), portal, DAY);
    expect(tablesRead(text!)).toEqual(['probes_1m']);
  });

  it('counts a probe good when it answered within 5 s, and spends the 99 % budget on the rest', async () => {
    expect(await answer('slo', 'Answered within', portal, DAY)).toEqual([{ within_target: 0.993 }]);
    const [{ budget_remaining }] = (await answer('slo', 'Error budget', portal, DAY)) as [{ budget_remaining: number }];
    expect(budget_remaining).toBeCloseTo(0.3, 9);
    // A stricter objective typed into the board: 7 bad of the 5 that 99.5 % allows.
    const [strict] = (await answer('slo', 'Error budget', { ...portal, slo_objective: '99.5' }, DAY)) as [{ budget_remaining: number }];
    expect(strict.budget_remaining).toBeCloseTo(-0.4, 9);
    // Both targets, chosen one by one or as All: (993 + 500) / 1500; staging's failures never count.
    const both = [{ within_target: 1493 / 1500 }];
    expect(await answer('slo', 'Answered within', { target: ['api', 'portal'] }, DAY)).toEqual(both);
    expect(await answer('slo', 'Answered within', {}, DAY)).toEqual(both);
  });

  it('over the month, from the hourly rollup, includes the failures of 1 November in Tokyo', async () => {
    expect(await answer('slo', 'Probes', portal)).toEqual([{ probes: 1060 }]);
    expect(await answer('slo', 'Answered within', portal)).toEqual([{ within_target: 993 / 1060 }]);
  });

  it('per target: availability, within target and the p95 of answered probes only', async () => {
    const rows = await answer('slo', 'Per target', {}, DAY);
    expect(rows).toMatchObject([
      { target: 'api', probes: 500, availability: 1, within_target: 1, p95_ms: 100 },
      { target: 'portal', probes: 1000, availability: 0.996, within_target: 0.993, p95_ms: 200 },
    ]);
  });

  it('draws no response time for minutes whose probes all failed, and the slow answers at 6 s', async () => {
    const rows = (await answer('slo', 'Response time', portal, DAY, 60_000)) as { time: string; p50: number | null; p99: number | null }[];
    expect(rows[0]).toMatchObject({ time: '2026-11-28 15:00:00', p50: null, p99: null }); // 00:00 in Tokyo: failed
    expect(rows.filter((r) => r.p50 === null)).toHaveLength(4);
    expect(Math.max(...rows.map((r) => r.p99 ?? 0))).toBe(6000);
  });
});

describe('capacity review', () => {
  it('per host: mean, p95 and peak of the all-core series only, and hours over the chosen threshold', async () => {
    const rows = (await answer('capacity', 'Hosts over the range')) as Record<string, number | string>[];
    expect(rows.map((r) => r.host)).toEqual(['db-1', 'web-1']);
    expect(rows[0]).toMatchObject({ mean_percent: 42.5, peak_percent: 80, hours_over_threshold: 0 });
    expect(rows[0]!.p95_percent).toBeGreaterThan(75);
    expect(rows[1]).toMatchObject({ mean_percent: 40, p95_percent: 40, peak_percent: 40 });
    const at50 = await answer('capacity', 'Hosts over the range', { cpu_threshold: '50' });
    expect(at50.map((r) => r.hours_over_threshold)).toEqual([1, 0]);
  });

  it('gives one p95 a day per host, days counted in Tokyo, over 90 days whatever the dashboard range', async () => {
    const board = boardNamed('capacity');
    const [text] = await expand(board, panelNamed(board, 'Daily CPU p95'), { host: ['db-1'] }, DAY);
    const rows = (await run(text!)) as { time: string; host: string; p95: number }[];
    expect(rows.map((r) => [r.time, r.p95 > 75 ? 'over 75' : r.p95])).toEqual([['2026-10-15 00:00:00', 30], ['2026-11-20 00:00:00', 'over 75']]);
  });
});

describe('annual analysis', () => {
  it('counts months in Tokyo: the 60 failures at 00:00 on 1 November are November', async () => {
    const rows = await answer('annual', 'Availability and response', { target: ['portal'] });
    expect(rows).toMatchObject([
      { month: '2026-10', target: 'portal', probes: 600, availability: 1, p95_ms: 200 },
      { month: '2026-11', target: 'portal', probes: 1060, availability: 996 / 1060, within_target: 993 / 1060, p95_ms: 200 },
    ]);
  });

  it('gives CPU p95 per host and month, and log errors per service and month', async () => {
    const cpu = (await answer('annual', 'CPU per host', { host: ['db-1'] })) as Record<string, number | string>[];
    expect(cpu.map((r) => [r.month, r.host, r.mean_percent])).toEqual([['2026-10', 'db-1', 30], ['2026-11', 'db-1', 55]]);
    expect(cpu[1]!.p95_percent).toBeGreaterThan(75);
    expect(await answer('annual', 'Log errors')).toEqual([
      { month: '2026-10', service: 'api', errors: 4, warnings: 0 },
      { month: '2026-11', service: 'api', errors: 5, warnings: 0 },
      { month: '2026-11', service: 'web', errors: 3, warnings: 3 },
    ]);
  });
});

describe('logs', () => {
  it('counts error and fatal lines, by the chosen hosts and services', async () => {
    expect(await answer('logs', 'Error lines', {}, DAY)).toEqual([{ errors: 8 }]);
    expect(await answer('logs', 'Error lines', { service: ['web'] }, DAY)).toEqual([{ errors: 3 }]);
    expect(await answer('logs', 'Error lines', { host: ['web-1'] }, DAY)).toEqual([{ errors: 5 }]);
  });

  it('ranks services by errors, with their warnings and hosts', async () => {
    expect(await answer('logs', 'Top services', {}, DAY)).toEqual([
      { service: 'api', errors: 5, warnings: 0, hosts: 1 },
      { service: 'web', errors: 3, warnings: 3, hosts: 1 },
    ]);
  });
});
