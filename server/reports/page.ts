import { escapeHtml } from '../maintenance/page.ts';
import { cellOf, cellText, wallText } from './formats.ts';
import type { MonthlyReport } from './monthly.ts';
import type { AnnualReport } from './annual.ts';
import type { CapacityReview } from './capacity.ts';
import type { Language, ReportTable } from './tables.ts';

const TEXT = {
  ja: { title: '月次報告', annual: '年次分析', capacity: 'キャパシティレビュー', environment: '環境', period: '対象期間', generated: '作成', partial: 'この期間はまだ終わっていません。数値は作成時点までのものです。', chart: '監視対象ごとの p95 応答時間と 5 秒目標', none: 'データなし' },
  en: { title: 'Monthly report', annual: 'Annual analysis', capacity: 'Capacity review', environment: 'Environment', period: 'Period', generated: 'Generated', partial: 'This period is not over yet: the figures run to the time of writing.', chart: 'p95 response time per target against the 5 s target', none: 'No data' },
};

// A4 portrait, print first: the page is what is handed to the foundation.
const STYLE = `
@page{size:A4;margin:14mm 12mm}
*{box-sizing:border-box}
body{margin:0;color:#1f2933;font:10pt/1.5 "Noto Sans CJK JP","Noto Sans JP","IPAPGothic","IPAGothic","Hiragino Sans","Yu Gothic",sans-serif}
main{max-width:186mm;margin:0 auto}
h1{font-size:18pt;margin:0 0 2mm}
h2{font-size:12pt;margin:7mm 0 2mm;padding-bottom:1mm;border-bottom:.4mm solid #9aa5b1;break-after:avoid}
.meta{color:#52606d;margin:0 0 4mm}
.partial{border:.3mm solid #b45309;color:#b45309;padding:2mm 3mm;margin:0 0 4mm}
table{width:100%;border-collapse:collapse;font-size:7.5pt}
th,td{border:.2mm solid #cbd2d9;padding:.8mm 1.2mm;overflow-wrap:break-word;vertical-align:top}
td.t{white-space:nowrap}
th{background:#e8eef4;text-align:left;font-weight:bold}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr{break-inside:avoid}
thead{display:table-header-group}
figure{margin:0;break-inside:avoid}
figcaption{font-size:9pt;color:#52606d;margin:1mm 0}
svg{width:100%;height:auto;display:block}
.empty{color:#7b8794}`;

const NUMERIC = new Set(['int', 'percent', 'ms', 'minutes']);
/** Short codes that read badly broken over two lines (a ticket number, a type, a severity). */
const KEEP_WHOLE = new Set(['number', 'type', 'severity']);

function tableHtml(table: ReportTable, lang: Language, timeZone: string): string {
  if (table.rows.length === 0) return `<h2>${escapeHtml(table.title[lang])}</h2><p class="empty">${TEXT[lang].none}</p>`;
  const head = table.columns.map((c) => `<th>${escapeHtml(c.title[lang])}</th>`).join('');
  const rows = table.rows
    .map((row) => {
      const cells = table.columns.map((c) => {
        const value = cellOf(row, c, lang);
        const cls = NUMERIC.has(c.kind) ? ' class="n"' : c.kind === 'time' || KEEP_WHOLE.has(c.key) ? ' class="t"' : '';
        return `<td${cls}>${escapeHtml(cellText(value, c, lang, timeZone))}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('');
  return `<h2>${escapeHtml(table.title[lang])}</h2><table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

/** Horizontal bars of each target's p95 on a scale to 10 s, with the 5 s target as a line: SVG, so it prints sharp. */
function p95Chart(report: MonthlyReport, lang: Language): string {
  const targets = report.targets.filter((t) => t.p95_ms !== null);
  if (targets.length === 0) return '';
  const [bar, gap, label, width, font] = [3, 1.2, 62, 180, 2.6];
  const scale = (ms: number) => label + (Math.min(ms, 10_000) / 10_000) * (width - label - 14);
  const height = targets.length * (bar + gap) + 6;
  const bars = targets
    .map((t, i) => {
      const y = i * (bar + gap);
      const end = scale(t.p95_ms!);
      const over = t.p95_ms! > report.slo.response_target_ms;
      return (
        `<text x="${label - 1}" y="${y + bar - 0.4}" font-size="${font}" text-anchor="end">${escapeHtml(shortName(t.target))}</text>` +
        `<rect x="${label}" y="${y}" width="${(end - label).toFixed(2)}" height="${bar}" fill="${over ? '#c81e1e' : '#2f6f9f'}"/>` +
        `<text x="${(end + 1).toFixed(2)}" y="${y + bar - 0.4}" font-size="${font}">${(t.p95_ms! / 1000).toFixed(2)} s</text>`
      );
    })
    .join('');
  const line = scale(report.slo.response_target_ms);
  const axis = `<line x1="${line}" y1="0" x2="${line}" y2="${height - 5}" stroke="#b45309" stroke-width=".4" stroke-dasharray="1.5 1"/><text x="${line}" y="${height - 1}" font-size="${font}" text-anchor="middle">5 s</text><text x="${scale(10_000)}" y="${height - 1}" font-size="${font}" text-anchor="middle">10 s</text>`;
  return `<figure><figcaption>${TEXT[lang].chart}</figcaption><svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${TEXT[lang].chart}">${bars}${axis}</svg></figure>`;
}

/** Long names keep their start and their end, where targets of one family differ. */
function shortName(name: string): string {
  return name.length <= 34 ? name : `${name.slice(0, 16)}…${name.slice(-16)}`;
}

export interface PageHead {
  title: string;
  environment: string;
  period: string;
  timezone: string;
  generatedAt: string;
  complete: boolean;
}

/** A report as one printable HTML page (A4; print to PDF from any browser); `figure` adds a chart after a table. */
export function reportPage(head: PageHead, tables: ReportTable[], lang: Language, figure: (tableId: string) => string = () => ''): string {
  const t = TEXT[lang];
  const generated = cellText(head.generatedAt, { key: 'generated_at', title: { ja: '', en: '' }, kind: 'time' }, lang, head.timezone);
  const body = [
    `<h1>${escapeHtml(head.title)}</h1>`,
    `<p class="meta">${t.environment}: ${escapeHtml(head.environment)} · ${t.period}: ${escapeHtml(head.period)} (${escapeHtml(head.timezone)}) · ${t.generated}: ${escapeHtml(generated)}</p>`,
    head.complete ? '' : `<p class="partial">${t.partial}</p>`,
    ...tables.map((table) => tableHtml(table, lang, head.timezone) + figure(table.id)),
  ].join('\n');
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(head.title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

export function monthlyPage(report: MonthlyReport, tables: ReportTable[], lang: Language): string {
  const head = { title: `${TEXT[lang].title} ${report.month} — ${report.environment}`, environment: report.environment, period: report.month, timezone: report.timezone, generatedAt: report.generated_at, complete: report.complete };
  return reportPage(head, tables, lang, (id) => (id === 'targets' ? p95Chart(report, lang) : ''));
}

export function annualPage(report: AnnualReport, tables: ReportTable[], lang: Language): string {
  const head = { title: `${TEXT[lang].annual} ${report.from} – ${report.to} — ${report.environment}`, environment: report.environment, period: `${report.from} – ${report.to}`, timezone: report.timezone, generatedAt: report.generated_at, complete: report.complete };
  return reportPage(head, tables, lang);
}

export function capacityPage(review: CapacityReview, tables: ReportTable[], lang: Language): string {
  const head = { title: `${TEXT[lang].capacity} — ${review.environment}`, environment: review.environment, period: `${wallText(Date.parse(review.from), review.timezone).slice(0, 10)} – ${wallText(Date.parse(review.to) - 1, review.timezone).slice(0, 10)}`, timezone: review.timezone, generatedAt: review.generated_at, complete: true };
  return reportPage(head, tables, lang);
}
