import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../../test/helpers/runtime.ts';
import { sql, ts, typed } from '../storage/sql.ts';
import { agreedThreshold, buildCapacityReview } from './capacity.ts';
import type { Rule } from '../rules/types.ts';

// Today is 30 November 2026 in Tokyo; the review reads the 90 whole days before it.
const jst = (wall: string) => Date.parse(`${wall}+09:00`);
const DAY = 86_400_000;
const TODAY = jst('2026-11-30T00:00');
const FROM = TODAY - 90 * DAY;
let rt: TestRuntime;
const noise = (i: number) => {
  const h = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return (h - Math.floor(h)) * 4 - 2;
};

async function day(host: string, x: number, percent: number) {
  await rt.storage.command(sql`
    INSERT INTO metrics (timestamp, environment, host, name, labels, value)
    SELECT ${ts(FROM + x * DAY + 3 * 3_600_000)} + toIntervalMinute(number), 'production', ${host}, 'cpu_utilisation_percent', map('cpu', 'total'), ${typed(percent, 'Float64')}
    FROM numbers(10)`);
}

beforeAll(async () => {
  const yaml = 'agent: { enabled: false }\nrules: []\ncapacity: { default_percent: 75, environments: { staging: 60 }, hosts: { db-1: 80 } }\n';
  rt = await openTestRuntime({ yaml, now: () => jst('2026-11-30T09:00') });
  for (let x = 45; x < 90; x++) {
    // db-1 climbs half a point a day from 50 % (day 45) with noise: 80 % on day 105, 15 days from today.
    await day('db-1', x, 50 + 0.5 * (x - 45) + noise(x));
    await day('web-1', x, 40 + noise(x + 100));
    await day('over-1', x, x === 89 ? 85 : 60 + noise(x + 200));
  }
  for (let x = 85; x < 90; x++) await day('ap-1', x, 60);
  // slow-1 climbs exactly 0.2 points a day from 40 % on day 45: 75 % on day 220, 130 days from today.
  for (let x = 45; x < 90; x++) await day('slow-1', x, 40 + 0.2 * (x - 45));
  // mix-1, on 29 November only: 20 minutes of samples 10, 10, 10, 90 (minute means 30 %), then 10 minutes at 80 %.
  await rt.storage.command(sql`
    INSERT INTO metrics (timestamp, environment, host, name, labels, value)
    SELECT ${ts(TODAY - DAY + 3_600_000)} + toIntervalSecond(number * 15), 'production', 'mix-1', 'cpu_utilisation_percent', map('cpu', 'total'),
      if(number < 80, if(number % 4 = 3, 90, 10), 80)
    FROM numbers(120)`);
}, 60_000);
afterAll(async () => rt?.close());

const review = async (query = '') => {
  const res = await rt.app.inject({ headers: rt.admin, url: `/api/v1/reports/capacity?environment=production${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return res;
};

describe('the capacity review (item 18)', () => {
  it('forecasts when a rising host crosses its agreed threshold, inside the stated range, and asks for a proposal', async () => {
    const { hosts } = (await review()).json();
    const db = hosts.find((h: { host: string }) => h.host === 'db-1');
    expect(db).toMatchObject({ threshold_percent: 80, threshold_source: 'host', days: 45, proposal_needed: true, days_over_threshold: 0 });
    const truth = TODAY + 15 * DAY;
    for (const trend of [db.trend_90_days, db.trend_30_days]) {
      expect(trend.kind).toBe('crosses');
      expect(Math.abs(Date.parse(trend.crosses_at) - truth)).toBeLessThan(4 * DAY);
      expect(Date.parse(trend.earliest)).toBeLessThanOrEqual(truth);
      expect(Date.parse(trend.latest)).toBeGreaterThanOrEqual(truth);
      expect(trend.slope_low).toBeLessThan(0.5);
      expect(trend.slope_high).toBeGreaterThan(0.5);
    }
  });

  it('says plainly when there is no rising trend, not enough data, or the host is already over', async () => {
    const { hosts, horizon_days } = (await review()).json();
    const by = (host: string) => hosts.find((h: { host: string }) => h.host === host);
    expect(horizon_days).toBe(90);
    expect(by('web-1')).toMatchObject({ threshold_percent: 75, threshold_source: 'default', proposal_needed: false, trend_90_days: { kind: 'not_rising', crosses_at: null } });
    expect(by('ap-1')).toMatchObject({ days: 5, proposal_needed: false, trend_90_days: { kind: 'not_enough_data', points: 5, slope_per_day: null } });
    expect(by('over-1')).toMatchObject({ latest_p95_percent: 85, proposal_needed: true, trend_90_days: { kind: 'over' } });
  });

  it('states each day and month: mean, the p95 of the samples (not of minute means), peak, and the share of time over the threshold', async () => {
    const { hosts } = (await review()).json();
    const mix = hosts.find((h: { host: string }) => h.host === 'mix-1');
    // 120 samples: 60 at 10 %, 40 at 80 %, 20 at 90 %; minute means 30 % (20 minutes) and 80 % (10 minutes, over 75 %).
    const figures = { mean_percent: 46.7, p95_percent: 90, peak_percent: 90, above_threshold_percent: 33.33 };
    expect(mix.daily).toEqual([{ start: new Date(TODAY - DAY).toISOString(), ...figures }]);
    expect(mix.monthly).toEqual([{ start: new Date(jst('2026-11-01T00:00')).toISOString(), ...figures }]);
    const web = hosts.find((h: { host: string }) => h.host === 'web-1');
    expect(web.monthly.map((m: { start: string }) => m.start)).toEqual([jst('2026-10-01T00:00'), jst('2026-11-01T00:00')].map((t) => new Date(t).toISOString()));
    expect(web.daily).toHaveLength(45);
  });

  it('as a printable page and XLSX in words, and audited', async () => {
    const page = (await review('&format=html&lang=en')).body;
    expect(page).toContain('<h1>Capacity review — production</h1>');
    expect(page).toContain('not enough data (under 14 days)');
    expect((await review('&format=html')).body).toContain('上昇傾向なし');
    const xlsx = await review('&format=xlsx');
    expect(xlsx.headers['content-disposition']).toBe('attachment; filename="mimamori-capacity-2026-11-29-production.xlsx"');
    const streamed = await rt.app.inject({ headers: { ...rt.admin, accept: 'application/x-ndjson' }, url: '/api/v1/reports/capacity?environment=production&format=csv&table=hosts' });
    const lines = streamed.body.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.slice(0, 3).map((l) => l.progress)).toEqual([{ done: 1, total: 3, phase: 'hosts' }, { done: 2, total: 3, phase: 'days and months' }, { done: 3, total: 3, phase: 'forecasts' }]);
    expect(lines[3].file.name).toBe('mimamori-capacity-2026-11-29-production-hosts.csv');
    await rt.trail.flush();
    const trail = await rt.storage.query<{ actor: string; object: string; result: string }>(sql`SELECT actor, object, result FROM audit_log WHERE action = 'GET /api/v1/reports/capacity' ORDER BY seq`);
    expect(trail.map((r) => ({ actor: r.actor, result: r.result, ...JSON.parse(r.object) }))).toEqual([
      ...['json', 'json', 'json', 'html', 'html', 'xlsx'].map((format) => ({ actor: 'local-admin', result: 'ok', report: 'capacity', environment: 'production', format })),
      { actor: 'local-admin', result: 'ok', report: 'capacity', environment: 'production', format: 'csv', table: 'hosts' },
    ]);
  });
});

describe('the horizon of the capacity review', () => {
  it('gives no proposal to a host that crosses beyond horizon_days, and one when horizon_days reaches the crossing', async () => {
    const slow = (await review()).json().hosts.find((h: { host: string }) => h.host === 'slow-1');
    const crossing = new Date(FROM + 220 * DAY).toISOString();
    expect(slow).toMatchObject({ threshold_percent: 75, proposal_needed: false, trend_90_days: { kind: 'crosses', crosses_at: crossing }, proposal: null });
    // A straight line: its 95 % range is that day (to the second; 0.2 is not exact in binary).
    for (const end of [slow.trend_90_days.earliest, slow.trend_90_days.latest]) expect(Math.abs(Date.parse(end) - Date.parse(crossing))).toBeLessThan(5000);
    // The same data read with other horizons (capacity.horizon_days): 130 days away is inside 131 and 180, not 129.
    const deps = (horizonDays: number) => ({ storage: rt.storage, timezone: 'Asia/Tokyo', rules: [], capacity: { defaultPercent: 75, environments: {}, hosts: {}, horizonDays }, now: () => jst('2026-11-30T09:00') });
    const needed = async (horizonDays: number) => (await buildCapacityReview(deps(horizonDays), 'production')).hosts.find((h) => h.host === 'slow-1')!.proposal_needed;
    expect(await needed(129)).toBe(false);
    expect(await needed(131)).toBe(true);
    expect(await needed(180)).toBe(true);
  });
});

describe('the agreed threshold of a host', () => {
  const rules = [{ name: 'cpu-db', kind: 'cpu', match: { host: 'db-2' }, params: { thresholdPercent: 70 } }] as unknown as Rule[];
  it('is the host’s own, else its environment’s, else the default, else its cpu rule’s, else 80 %', () => {
    const settings = { defaultPercent: undefined, environments: { staging: 60 }, hosts: { 'db-1': 85 }, horizonDays: 90 };
    expect(agreedThreshold(settings, rules, 'production', 'db-1')).toEqual({ percent: 85, source: 'host' });
    expect(agreedThreshold(settings, rules, 'staging', 'web-9')).toEqual({ percent: 60, source: 'environment' });
    expect(agreedThreshold({ ...settings, defaultPercent: 75 }, rules, 'production', 'db-2')).toEqual({ percent: 75, source: 'default' });
    expect(agreedThreshold(settings, rules, 'production', 'db-2')).toEqual({ percent: 70, source: 'rule' });
    expect(agreedThreshold(settings, rules, 'production', 'web-9')).toEqual({ percent: 80, source: 'built_in' });
  });
});
