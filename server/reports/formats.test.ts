import { describe, expect, it } from 'vitest';
import { tableCsv } from './formats.ts';
import type { ReportTable } from './tables.ts';

const table: ReportTable = {
  id: 'incidents',
  title: { ja: 'インシデント', en: 'Incidents' },
  columns: [
    { key: 'title', title: { ja: '件名', en: 'Title' }, kind: 'text' },
    { key: 'change', title: { ja: '増減', en: 'Change' }, kind: 'int' },
    { key: 'opened_at', title: { ja: '起票', en: 'Opened' }, kind: 'time' },
  ],
  rows: [
    { title: '=HYPERLINK("http://evil.example/","開く")', change: -5, opened_at: '2026-10-31T15:30:00.000Z' },
    { title: '通常の件名, カンマ入り', title_en: 'A title, with a comma', change: 3, opened_at: null },
  ],
};

describe('CSV of a report table', () => {
  it('keeps a title that a spreadsheet would run as a formula as text, quotes commas, and writes times on the report’s clock', async () => {
    const text = (await tableCsv(table, 'ja', 'Asia/Tokyo')).toString('utf8');
    expect(text.startsWith('\uFEFF件名,増減,起票\n')).toBe(true);
    const lines = text.slice(1).trim().split('\n');
    expect(lines[1]).toBe(`"'=HYPERLINK(""http://evil.example/"",""開く"")",-5,2026-11-01 00:30`);
    expect(lines[2]).toBe('"通常の件名, カンマ入り",3,');
    const en = (await tableCsv(table, 'en', 'Asia/Tokyo')).toString('utf8');
    expect(en).toContain('"A title, with a comma",3,');
  });
});
