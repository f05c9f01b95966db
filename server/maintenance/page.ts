import type { MaintenanceWindow } from './types.ts';

import type { Lang } from '../shared/language.ts';

export type { Lang };

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

function formatTime(ms: number, lang: Lang, timezone: string): string {
  const locale = lang === 'ja' ? 'ja-JP' : 'en-GB';
  return `${new Intl.DateTimeFormat(locale, { timeZone: timezone, dateStyle: 'long', timeStyle: 'short' }).format(ms)} (${timezone})`;
}

const TEXT = {
  ja: { title: 'メンテナンス中', end: '終了予定', none: '現在メンテナンスは行っていません。' },
  en: { title: 'Maintenance in progress', end: 'Planned end', none: 'No maintenance in progress.' },
};

const STYLE = `
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#f4f5f7;color:#1f2933;
font-family:"Hiragino Sans","Noto Sans JP","Yu Gothic",system-ui,sans-serif;line-height:1.7}
main{max-width:40rem;margin:2rem;padding:2.5rem;background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08)}
h1{font-size:1.6rem;margin:0 0 1.5rem;color:#b45309}
section+section{margin-top:1.5rem;padding-top:1.5rem;border-top:1px solid #e4e7eb}
.end{color:#52606d}`;

function document(lang: Lang, title: string, body: string, refreshSeconds?: number): string {
  const refresh = refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : '';
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">${refresh}<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

const order = (first: Lang): Lang[] => (first === 'ja' ? ['ja', 'en'] : ['en', 'ja']);

/** The screen shown while maintenance is in force: the chosen language first, the other below. */
export function maintenancePage(window: MaintenanceWindow, first: Lang, timezone: string, refreshSeconds: number): string {
  const langs = order(first);
  const sections = langs
    .map(
      (l) => `<section lang="${l}"><p>${escapeHtml(window.message[l])}</p>
<p class="end">${TEXT[l].end}: ${escapeHtml(formatTime(window.end, l, timezone))}</p></section>`,
    )
    .join('\n');
  const title = langs.map((l) => TEXT[l].title).join(' / ');
  return document(first, title, `<h1>${escapeHtml(title)}</h1>\n${sections}`, refreshSeconds);
}

export function noMaintenancePage(first: Lang): string {
  const langs = order(first);
  const body = langs.map((l) => `<p lang="${l}">${TEXT[l].none}</p>`).join('\n');
  return document(first, langs.map((l) => TEXT[l].none).join(' / '), body);
}
