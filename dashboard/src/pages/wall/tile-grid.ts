export type TileSize = 'large' | 'medium' | 'tiny';

/** Per size: the preferred tile width over height, the gap, and the least room its text needs. */
const SIZES: { size: TileSize; aspect: number; gap: number; minWidth: number; minHeight: number }[] = [
  { size: 'large', aspect: 2.2, gap: 8, minWidth: 260, minHeight: 150 },
  { size: 'medium', aspect: 2, gap: 5, minWidth: 110, minHeight: 86 },
  { size: 'tiny', aspect: 1.6, gap: 3, minWidth: 0, minHeight: 0 },
];

export interface TileGrid {
  size: TileSize;
  columns: number;
  rowHeight: number;
  gap: number;
}

/**
 * Columns and row height so that `count` tiles fill a `width`×`height` area
 * exactly: no empty band under a few tiles, none cut off under a thousand.
 * The largest tile size whose rows still hold its text wins.
 */
export function fitTiles(count: number, width: number, height: number): TileGrid {
  const n = Math.max(1, count);
  let grid: TileGrid = { size: 'tiny', columns: 1, rowHeight: 0, gap: 3 };
  for (const { size, aspect, gap, minWidth, minHeight } of SIZES) {
    // The shape the size prefers, with more columns where its rows would not otherwise hold its text.
    const preferred = Math.round(Math.sqrt((n * width) / (Math.max(1, height) * aspect)));
    const maxRows = Math.max(1, Math.floor((height + gap) / (minHeight + gap)));
    const columns = Math.min(n, Math.max(1, preferred, Math.ceil(n / maxRows)));
    const rows = Math.ceil(n / columns);
    const rowHeight = Math.max(1, Math.floor((height - gap * (rows - 1)) / rows));
    grid = { size, columns, rowHeight, gap };
    if (rowHeight >= minHeight && (width - gap * (columns - 1)) / columns >= minWidth) return grid;
  }
  return grid;
}
