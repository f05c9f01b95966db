import { describe, expect, it } from 'vitest';
import { fitTiles } from './tile-grid.ts';

describe('tile grid', () => {
  it.each([
    [3, 1870, 620], [30, 1870, 620], [1000, 1870, 620],
    [3, 1326, 380], [30, 1326, 380], [1000, 1326, 380], [24, 1326, 380],
  ])('%i tiles fill %i×%i without overflowing it', (count, width, height) => {
    const g = fitTiles(count, width, height);
    const rows = Math.ceil(count / g.columns);
    expect(rows * g.rowHeight + (rows - 1) * g.gap).toBeLessThanOrEqual(height);
    expect(rows * g.rowHeight + (rows - 1) * g.gap).toBeGreaterThan(height - rows); // rounding only
  });

  it('gives few tiles room for their text and many the small squares', () => {
    expect(fitTiles(3, 1870, 620).size).toBe('large');
    expect(fitTiles(30, 1870, 620).size).toBe('medium');
    expect(fitTiles(30, 1318, 310)).toMatchObject({ size: 'medium', columns: 10 }); // more columns, so the rows keep their text
    expect(fitTiles(30, 1318, 310).rowHeight).toBeGreaterThanOrEqual(86);
    expect(fitTiles(1000, 1326, 380).size).toBe('tiny');
  });
});
