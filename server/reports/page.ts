import { escapeHtml } from '../maintenance/page.ts';
import { cellOf, cellText, wallText } from './formats.ts';
import type { MonthlyReport } from './monthly.ts';
import type { AnnualReportWithPlan, CapacityReviewWithProposals } from './proposals.ts';
import type { Language, ReportTable } from './tables.ts';
import { annualChart } from './annual-chart.ts';

const TEXT = {
  ja: { title: '月次報告', annual: '年次分析', capacity: 'キャパシティレビュー', environment: '環境', period: '対象期間', generated: '作成', partial: 'この期間はまだ終わっていません。数値は作成時点までのものです。', chart: '監視対象ごとの p95 応答時間と 5 秒目標', none: 'データなし', daily: '日次 CPU p95（点）、合意しきい値（破線）、90日傾向（線）' },
  en: { title: 'Monthly report', annual: 'Annual analysis', capacity: 'Capacity review', environment: 'Environment', period: 'Period', generated: 'Generated', partial: 'This period is not over yet: the figures run to the time of writing.', chart: 'p95 response time per target against the 5 s target', none: 'No data', daily: 'Daily CPU p95 (dots), the agreed threshold (dashed) and the 90-day trend (line)' },
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
.charts{display:flex;gap:4mm}
.charts figure{flex:1 1 0;min-width:0}
.empty{color:#7b8794}
.note{font-size:8pt;color:#52606d;margin:1mm 0 0}
td.text{white-space:pre-wrap}`;

const NUMERIC = new Set(['int', 'percent', 'ms', 'minutes']);
/** Short codes that read badly broken over two lines (a ticket number, a type, a severity). */
const KEEP_WHOLE = new Set(['number', 'type', 'severity']);

function tableHtml(table: ReportTable, lang: Language, timeZone: string): string {
  if (table.rows.length === 0) return `<h2>${escapeHtml(table.title[lang])}</h2><p class="empty">${TEXT[lang].none}</p>${notesHtml(table, lang)}`;
  const head = table.columns.map((c) => `<th>${escapeHtml(c.title[lang])}</th>`).join('');
  const rows = table.rows
    .map((row) => {
      const cells = table.columns.map((c) => {
        const value = cellOf(row, c, lang);
        const cls = NUMERIC.has(c.kind) ? ' class="n"' : c.kind === 'time' || KEEP_WHOLE.has(c.key) ? ' class="t"' : c.key === 'text' ? ' class="text"' : '';
        return `<td${cls}>${escapeHtml(cellText(value, c, lang, timeZone))}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('');
  return `<h2>${escapeHtml(table.title[lang])}</h2><table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>${notesHtml(table, lang)}`;
}

const notesHtml = (table: ReportTable, lang: Language) => (table.notes ?? []).map((n) => `<p class="note">※ ${escapeHtml(n[lang])}</p>`).join('');

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
  /** A4 landscape, for tables of twelve months side by side. */
  landscape?: boolean;
}

// Landscape: 297 mm less the margins.
const LANDSCAPE = '@page{size:A4 landscape;margin:12mm 12mm}main{max-width:273mm}';

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
<meta name="robots" content="noindex"><title>${escapeHtml(head.title)}</title><style>${STYLE}${head.landscape ? LANDSCAPE : ''}</style></head>
<body><main>${body}</main></body></html>`;
}

export function monthlyPage(report: MonthlyReport, tables: ReportTable[], lang: Language): string {
  const head = { title: `${TEXT[lang].title} ${report.month} — ${report.environment}`, environment: report.environment, period: report.month, timezone: report.timezone, generatedAt: report.generated_at, complete: report.complete };
  return reportPage(head, tables, lang, (id) => (id === 'targets' ? p95Chart(report, lang) : ''));
}

export function annualPage(report: AnnualReportWithPlan, tables: ReportTable[], lang: Language): string {
  const head = { title: `${TEXT[lang].annual} ${report.from} – ${report.to} — ${report.environment}`, environment: report.environment, period: `${report.from} – ${report.to}`, timezone: report.timezone, generatedAt: report.generated_at, complete: report.complete, landscape: true };
  return reportPage(head, tables, lang, (id) => (id === 'months' ? annualChart(report, lang) : ''));
}

export function capacityPage(review: CapacityReviewWithProposals, tables: ReportTable[], lang: Language): string {
  const head = { title: `${TEXT[lang].capacity} — ${review.environment}`, environment: review.environment, period: `${wallText(Date.parse(review.from), review.timezone).slice(0, 10)} – ${wallText(Date.parse(review.to) - 1, review.timezone).slice(0, 10)}`, timezone: review.timezone, generatedAt: review.generated_at, complete: true };
  const charts = () => review.hosts.filter((h) => h.proposal).map((h) => dailyChart(review, h, lang)).join('');
  return reportPage(head, tables, lang, (id) => (id === 'proposals' ? charts() : ''));
}

/** One host's daily p95 over the review's 90 days and its horizon: dots, the threshold dashed, the 90-day trend as a line up to where it crosses. */
function dailyChart(review: CapacityReviewWithProposals, h: CapacityReviewWithProposals['hosts'][number], lang: Language): string {
  const DAY = 86_400_000;
  const from = Date.parse(review.from);
  const days = 90 + Math.min(review.horizon_days, 180);
  const [width, height, left, font] = [180, 42, 10, 2.4];
  const x = (day: number) => left + (day / days) * (width - left - 2);
  const y = (percent: number) => 2 + (1 - Math.min(Math.max(percent, 0), 100) / 100) * (height - 8);
  const dots = h.daily.map((d) => `<circle cx="${x((Date.parse(d.start) - from) / DAY).toFixed(2)}" cy="${y(d.p95_percent).toFixed(2)}" r=".55" fill="${d.p95_percent > h.threshold_percent ? '#c81e1e' : '#2f6f9f'}"/>`).join('');
  const t = h.trend_90_days;
  const lastX = t.crosses_at ? Math.min((Date.parse(t.crosses_at) - from) / DAY, days) : 90;
  const firstX = h.daily.length ? (Date.parse(h.daily[0]!.start) - from) / DAY : 0;
  const trend = t.slope_per_day === null || t.intercept_percent === null ? '' : `<line x1="${x(firstX).toFixed(2)}" y1="${y(t.intercept_percent + t.slope_per_day * firstX).toFixed(2)}" x2="${x(lastX).toFixed(2)}" y2="${y(t.intercept_percent + t.slope_per_day * lastX).toFixed(2)}" stroke="#52606d" stroke-width=".35"/>`;
  const limit = `<line x1="${x(0)}" y1="${y(h.threshold_percent)}" x2="${x(days)}" y2="${y(h.threshold_percent)}" stroke="#b45309" stroke-width=".35" stroke-dasharray="1.5 1"/>`;
  const today = `<line x1="${x(90)}" y1="2" x2="${x(90)}" y2="${height - 6}" stroke="#cbd2d9" stroke-width=".3"/>`;
  const labels = [0, 50, 100].map((p) => `<text x="${left - 1}" y="${y(p) + 0.8}" font-size="${font}" text-anchor="end">${p}%</text>`).join('') +
    ([[0, 'start'], [90, 'middle'], [days, 'end']] as const).map(([d, anchor]) => `<text x="${x(d)}" y="${height - 1}" font-size="${font}" text-anchor="${anchor}">${escapeHtml(wallText(from + d * DAY, review.timezone).slice(0, 10))}</text>`).join('');
  const caption = `${escapeHtml(h.host)}: ${TEXT[lang].daily}`;
  return `<figure><figcaption>${caption}</figcaption><svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${caption}">${today}${limit}${trend}${dots}${labels}</svg></figure>`;
}
