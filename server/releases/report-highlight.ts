// Regressions against the previous release stand out in the test-result
// report: marked ▲ in the comparison table, repeated on a red band under it
// on the printable page, and filled red in the XLSX (ReportTable.flag).

import { escapeHtml } from '../maintenance/page.ts';
import type { Cell, Language, ReportTable } from '../reports/tables.ts';

const MARK = '▲';

/** The comparison's regression cell (▲ and the word, or none), and the fact itself for the band and the XLSX's flag (tables are written by their columns, so `is_regression` is not shown). */
export function regressionCell(regression: boolean): { regression: string; regression_en: string; is_regression: boolean } {
  return { ...(regression ? { regression: `${MARK} 劣化`, regression_en: `${MARK} regression` } : { regression: 'なし', regression_en: 'none' }), is_regression: regression };
}

/** Whether a comparison row is a regression: the page's band and the XLSX's flag (ReportTable.flag). */
export const isRegression = (row: Record<string, Cell>) => row.is_regression === true;
const text = (row: Record<string, Cell>, key: string, lang: Language) => String((lang === 'en' ? row[`${key}_en`] : undefined) ?? row[key] ?? '—');

/** The printable page's band under the comparison table: each regression again, on red. Empty when there is none. */
export function regressionBand(table: ReportTable, lang: Language): string {
  const rows = table.rows.filter(isRegression);
  if (rows.length === 0) return '';
  const head = lang === 'ja' ? '劣化あり' : 'Regressions';
  const items = rows.map((row) => {
    const change = row.change_percent === null || row.change_percent === undefined ? '' : ` (${Number(row.change_percent) > 0 ? '+' : ''}${String(row.change_percent)} %)`;
    return `<li>${escapeHtml(`${text(row, 'run', lang)}: ${text(row, 'name', lang)} ${text(row, 'before', lang)} → ${text(row, 'current', lang)}${change}, ${lang === 'ja' ? '前回' : 'previous'} ${text(row, 'previous', lang)}`)}</li>`;
  });
  return `<div class="regressions" style="background:#fde2e1;border-left:1.2mm solid #b91c1c;color:#7f1d1d;padding:1.5mm 3mm;margin:2mm 0;break-inside:avoid"><strong>${MARK} ${head}</strong><ul style="margin:1mm 0 0;padding-left:5mm">${items.join('')}</ul></div>`;
}
