import { escapeHtml } from '../maintenance/page.ts';
import type { AnnualReportWithPlan } from './proposals.ts';
import type { Language } from './tables.ts';

const CAPTION = {
  ja: { availability: '月ごとの可用性（全計測、%）と SLO 目標（破線）', p95: '月ごとの最悪 p95 応答時間と 5 秒目標（破線）' },
  en: { availability: 'Availability per month (all probes, %) against the SLO objective (dashed)', p95: 'Worst p95 response time per month against the 5 s target (dashed)' },
};
const [WIDTH, HEIGHT, LEFT, FONT] = [128, 46, 12, 2.6];

/** A line over the twelve months on a scale [lo, hi], with a dashed reference level; gaps where a month has no value. */
function panel(values: (number | null)[], months: string[], lo: number, hi: number, level: number, label: (v: number) => string, caption: string): string {
  const x = (i: number) => LEFT + (i / Math.max(1, months.length - 1)) * (WIDTH - LEFT - 4);
  const y = (v: number) => 3 + (1 - (Math.min(Math.max(v, lo), hi) - lo) / (hi - lo)) * (HEIGHT - 12);
  let path = '';
  values.forEach((v, i) => {
    if (v === null) return;
    path += `${path && values[i - 1] !== null && values[i - 1] !== undefined ? 'L' : 'M'}${x(i).toFixed(2)} ${y(v).toFixed(2)}`;
  });
  const dots = values.map((v, i) => (v === null ? '' : `<circle cx="${x(i).toFixed(2)}" cy="${y(v).toFixed(2)}" r=".7" fill="#2f6f9f"/>`)).join('');
  const ref = `<line x1="${LEFT}" y1="${y(level).toFixed(2)}" x2="${WIDTH - 4}" y2="${y(level).toFixed(2)}" stroke="#b45309" stroke-width=".35" stroke-dasharray="1.5 1"/>`;
  const axis = [lo, hi].map((v) => `<text x="${LEFT - 1}" y="${(y(v) + 0.9).toFixed(2)}" font-size="${FONT}" text-anchor="end">${escapeHtml(label(v))}</text>`).join('') +
    months.map((m, i) => `<text x="${x(i).toFixed(2)}" y="${HEIGHT - 2}" font-size="${FONT}" text-anchor="middle">${escapeHtml(m.slice(2))}</text>`).join('');
  return `<figure><figcaption>${escapeHtml(caption)}</figcaption><svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(caption)}">${ref}<path d="${path}" fill="none" stroke="#2f6f9f" stroke-width=".5"/>${dots}${axis}</svg></figure>`;
}

/** The annual analysis at a glance, SVG so it prints sharp: availability and the worst p95 over the twelve months, side by side. */
export function annualChart(report: AnnualReportWithPlan, lang: Language): string {
  const months = report.months.map((m) => m.month);
  const availability = report.months.map((m) => m.availability_percent);
  const p95 = report.months.map((m) => m.worst_p95_ms);
  const objective = report.slo.objective_percent;
  const lo = Math.floor(Math.min(objective - 1, ...availability.filter((v): v is number => v !== null)));
  const target = report.slo.response_target_ms;
  const top = Math.max(2 * target, ...p95.filter((v): v is number => v !== null));
  return `<div class="charts">${panel(availability, months, lo, 100, objective, (v) => `${v}%`, CAPTION[lang].availability)}${panel(p95, months, 0, top, target, (v) => `${(v / 1000).toFixed(0)} s`, CAPTION[lang].p95)}</div>`;
}
