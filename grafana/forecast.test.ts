// The capacity board's forecast panel against Mimamori's own capacity review:
// the same hosts, seeded the same way, must get the same verdict, slope,
// interval and crossing day from the SQL as from server/reports/forecast.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../test/helpers/runtime.ts';
import { raw, sql, ts, typed } from '../server/storage/sql.ts';
import { buildCapacityReview } from '../server/reports/capacity.ts';
import { wallText } from '../server/reports/formats.ts';
import { capacityBoard } from './boards/capacity.ts';
import { interpolate } from './macros.ts';
import { panelRange, resolveRange } from './time-range.ts';

const jst = (wall: string) => Date.parse(`${wall}+09:00`);
const DAY = 86_400_000;
const NOW = jst('2026-11-30T00:00');
const FROM = NOW - 90 * DAY;
const OFFSET = 9 * 3_600_000;
let rt: TestRuntime;

const noise = (i: number) => {
  const h = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return (h - Math.floor(h)) * 4 - 2;
};

beforeAll(async () => {
  rt = await openTestRuntime({ yaml: 'agent: { enabled: false }\nrules: []\n', now: () => NOW });
  const day = (host: string, x: number, percent: number) => rt.storage.command(sql`
    INSERT INTO metrics (timestamp, environment, host, name, labels, value)
    SELECT ${ts(FROM + x * DAY + 3 * 3_600_000)} + toIntervalMinute(number), 'production', ${host}, 'cpu_utilisation_percent', map('cpu', 'total'), ${typed(percent, 'Float64')}
    FROM numbers(5)`);
  for (let x = 30; x < 90; x++) {
    await day('rising', x, 45 + 0.5 * (x - 30) + noise(x)); // 80 % near day 100
    await day('flat', x, 40 + noise(x + 100));
    if (x >= 60) await day('steep', x, 50 + 1.2 * (x - 60) + noise(x + 200)); // 30 days: 85 % on its last, over 80 %
  }
  for (let x = 84; x < 90; x++) await day('short', x, 60);
}, 60_000);
afterAll(async () => rt?.close());

async function panelRows() {
  const panel = capacityBoard.panels.find((p) => p.title.startsWith('Forecast'))!;
  const range = panelRange(panel, resolveRange(capacityBoard.time!, NOW, OFFSET), NOW, OFFSET);
  const variables = { environment: { value: 'production' }, host: { value: ['$__all'], options: ['flat', 'rising', 'short', 'steep'] }, cpu_threshold: { value: '80' }, tz: { value: 'Asia/Tokyo' } };
  const text = interpolate(panel.targets[0]!.rawSql, { ...range, intervalMs: DAY, variables });
  return rt.storage.query<Record<string, string | number | null>>(raw(text));
}

describe('the capacity board’s forecast', () => {
  it('gives each host the verdict, slope, interval and crossing day that Mimamori’s review gives', async () => {
    const review = await buildCapacityReview({ storage: rt.storage, timezone: 'Asia/Tokyo', rules: [], capacity: { defaultPercent: 80, environments: {}, hosts: {}, horizonDays: 90 }, now: () => NOW + 9 * 3_600_000 }, 'production');
    const rows = await panelRows();
    const KIND = { crosses: 'crosses', over: 'over', not_rising: 'not rising', not_enough_data: 'not enough data' } as const;
    const day = (iso: string | null) => (iso ? wallText(Date.parse(iso), 'Asia/Tokyo').slice(0, 10) : null);
    const fromReview = review.hosts.map((h) => {
      const t = h.trend_90_days;
      return { host: h.host, forecast: KIND[t.kind], days: h.days, slope_per_day: t.slope_per_day, slope_low: t.slope_low, slope_high: t.slope_high, crosses_on: day(t.crosses_at), earliest: day(t.earliest), latest: day(t.latest) };
    });
    const fromPanel = rows.map((r) => ({
      host: r.host, forecast: r.forecast, days: Number(r.days),
      slope_per_day: r.slope_per_day === null ? null : Math.round(Number(r.slope_per_day) * 1000) / 1000,
      slope_low: r.slope_low === null ? null : Math.round(Number(r.slope_low) * 1000) / 1000,
      slope_high: r.slope_high === null ? null : Math.round(Number(r.slope_high) * 1000) / 1000,
      crosses_on: r.crosses_on, earliest: r.earliest, latest: r.latest,
    }));
    // The review states no slope when there is too little data; the panel still shows it.
    for (const r of fromPanel.filter((x) => x.forecast === 'not enough data')) Object.assign(r, { slope_per_day: null, slope_low: null, slope_high: null });
    expect(fromPanel.map((r) => [r.host, r.forecast])).toEqual([['steep', 'over'], ['rising', 'crosses'], ['flat', 'not rising'], ['short', 'not enough data']]);
    expect(fromPanel).toEqual(expect.arrayContaining(fromReview));
    expect(fromPanel).toHaveLength(fromReview.length);
    const rising = fromPanel[1]!;
    expect(rising).toMatchObject({ host: 'rising', days: 60 });
    // The truth: 45 + 0.5 × (x − 30) reaches 80 on day 100, ten days after the review's last.
    expect(rising.crosses_on).toBe('2026-12-09');
    expect([rising.earliest! <= '2026-12-09', rising.latest! >= '2026-12-09']).toEqual([true, true]);
  });
});
