import { describe, expect, it } from 'vitest';
import { lastMonth, monthsBefore, rawRowsFields, trendAt, type CapacityPreview } from './reports.ts';

describe('report periods in the dashboard', () => {
  it('takes last month on the Tokyo wall clock, across a year', () => {
    // 2026-11-01 00:30 JST is still 31 October in UTC.
    expect(lastMonth(Date.parse('2026-10-31T15:30:00Z'), 'Asia/Tokyo')).toBe('2026-10');
    expect(lastMonth(Date.parse('2026-01-15T00:00:00Z'), 'Asia/Tokyo')).toBe('2025-12');
    expect(monthsBefore('2026-10', 11)).toBe('2025-11');
  });
});

describe('the raw rows behind a report', () => {
  it('asks for the month, the twelve months, or the review\'s 90 days, on the configured wall clock', () => {
    const period = { month: '2026-10', from: '2025-11' };
    expect(rawRowsFields('monthly', 'cpu', period, 'production', 'Asia/Tokyo')).toEqual({ operation: 'export.telemetry', kind: 'cpu', from: '2026-10-01T00:00', to: '2026-11-01T00:00', environment: 'production' });
    expect(rawRowsFields('annual', 'logs', period, 'production', 'Asia/Tokyo')).toMatchObject({ kind: 'logs', from: '2025-11-01T00:00', to: '2026-11-01T00:00' });
    const capacity = { from: '2026-08-06T15:00:00.000Z', to: '2026-11-04T15:00:00.000Z', hosts: [{ host: 'db-1' }, { host: 'web-1' }] } as CapacityPreview;
    expect(rawRowsFields('capacity', 'cpu', { ...period, capacity }, 'production', 'Asia/Tokyo')).toEqual({ operation: 'export.telemetry', kind: 'cpu', from: '2026-08-07T00:00', to: '2026-11-05T00:00', environment: 'production' });
  });

  it('draws a forecast\'s line from its intercept and slope, and none without a trend', () => {
    const f = { kind: 'crosses', slope_per_day: 0.5, intercept_percent: 40, crosses_at: null, earliest: null, latest: null } as const;
    expect(trendAt(f, 10)).toBe(45);
    expect(trendAt({ ...f, kind: 'not_enough_data', slope_per_day: null, intercept_percent: null }, 10)).toBeNull();
  });
});
