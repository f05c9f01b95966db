import ExcelJS from 'exceljs';
import { wallTimeOf } from '../maintenance/zoned-time.ts';
import type { Cell, Column, Language, ReportTable } from './tables.ts';

const BOM = '\uFEFF';
const YES_NO: Record<Language, [string, string]> = { ja: ['はい', 'いいえ'], en: ['yes', 'no'] };
const NUMBER_FORMATS: Partial<Record<Column['kind'], string>> = { int: '#,##0', percent: '0.000', ms: '#,##0', minutes: '#,##0.0', time: 'yyyy-mm-dd hh:mm' };
/** A flagged row's fill and its flag cell's colour (ReportTable.flag). */
const FLAG_FILL = 'FFFDE2E1';
const FLAG_RED = 'FFB91C1C';

/** A cell in the chosen language: a row's `<key>_en` is its English. */
export function cellOf(row: Record<string, Cell>, column: Column, lang: Language): Cell {
  const english = row[`${column.key}_en`];
  return lang === 'en' && english !== undefined ? english : (row[column.key] ?? null);
}

/** Text of a cell for CSV and the printable page: times on the report's wall clock, yes/no in the language. */
export function cellText(value: Cell, column: Column, lang: Language, timeZone: string): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return YES_NO[lang][value ? 0 : 1];
  if (column.kind === 'time' && typeof value === 'string') return wallText(Date.parse(value), timeZone);
  return String(value);
}

/** `YYYY-MM-DD HH:mm` on the wall clock of `timeZone`. */
export function wallText(ms: number, timeZone: string): string {
  const w = wallTimeOf(ms, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${two(w.month)}-${two(w.day)} ${two(w.hour)}:${two(w.minute)}`;
}

/** One table as CSV: UTF-8 with a byte-order mark, so Excel opens Japanese text correctly. */
export async function tableCsv(table: ReportTable, lang: Language, timeZone: string): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('report');
  sheet.addRow(table.columns.map((c) => c.title[lang]));
  for (const row of table.rows) {
    sheet.addRow(
      table.columns.map((c) => {
        const value = cellOf(row, c, lang);
        const text = cellText(value, c, lang, timeZone);
        // A text that a spreadsheet would run as a formula (=, +, -, @) is kept as text.
        return typeof value === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
      }),
    );
  }
  const csv = await workbook.csv.writeBuffer({ sheetName: 'report' });
  return Buffer.concat([Buffer.from(BOM), Buffer.from(csv)]);
}

/** The whole report as a workbook: a sheet per table, bold frozen headers, number and time formats. */
export async function reportXlsx(tables: ReportTable[], lang: Language, timeZone: string, title: string): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Mimamori';
  workbook.title = title;
  for (const table of tables) {
    const sheet = workbook.addWorksheet(sheetName(table.title[lang]), { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = table.columns.map((c) => ({ header: c.title[lang], key: c.key, width: Math.max(10, Math.min(48, c.title[lang].length * 2 + 4)), style: NUMBER_FORMATS[c.kind] ? { numFmt: NUMBER_FORMATS[c.kind] } : {} }));
    sheet.getRow(1).font = { bold: true };
    sheet.getRow(1).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF4' } };
    const flagColumn = table.flag ? table.columns.findIndex((c) => c.key === table.flag!.column) + 1 : 0;
    for (const row of table.rows) {
      const added = sheet.addRow(
        table.columns.map((c) => {
          const value = cellOf(row, c, lang);
          if (typeof value === 'boolean') return YES_NO[lang][value ? 0 : 1];
          // Excel has no time zones: a time is written as the report's wall clock.
          if (c.kind === 'time' && typeof value === 'string') return wallDate(Date.parse(value), timeZone);
          return value;
        }),
      );
      if (table.flag?.row(row)) {
        for (let c = 1; c <= table.columns.length; c++) added.getCell(c).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: FLAG_FILL } };
        if (flagColumn > 0) added.getCell(flagColumn).font = { bold: true, color: { argb: FLAG_RED } };
      }
    }
    // Remarks under the table, after a blank row, so the figures above are read with them.
    if (table.notes?.length) sheet.addRow([]);
    for (const note of table.notes ?? []) sheet.addRow([`※ ${note[lang]}`]).font = { italic: true };
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function wallDate(ms: number, timeZone: string): Date {
  const w = wallTimeOf(ms, timeZone);
  return new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second));
}

/** Excel's rules for sheet names: at most 31 characters, none of : \ / ? * [ ]. */
function sheetName(text: string): string {
  return text.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31);
}
