import { describe, expect, it } from 'vitest';
import { lastMonth, monthsBefore } from './reports.ts';

describe('report periods in the dashboard', () => {
  it('takes last month on the Tokyo wall clock, across a year', () => {
    // 2026-11-01 00:30 JST is still 31 October in UTC.
    expect(lastMonth(Date.parse('2026-10-31T15:30:00Z'), 'Asia/Tokyo')).toBe('2026-10');
    expect(lastMonth(Date.parse('2026-01-15T00:00:00Z'), 'Asia/Tokyo')).toBe('2025-12');
    expect(monthsBefore('2026-10', 11)).toBe('2025-11');
  });
});
