import type { FastifyRequest } from 'fastify';
import { escapeHtml } from '../maintenance/page.ts';

/**
 * A person's browser gets a page, a program gets JSON: the same error in
 * the form its reader can use. Only for addresses outside /api/ that a
 * browser asked for as a page (its Accept names text/html).
 */
export function wantsPage(request: FastifyRequest): boolean {
  return !request.url.startsWith('/api/') && String(request.headers.accept ?? '').includes('text/html');
}

const TEXT: Record<number, { ja: string; en: string }> = {
  403: { ja: 'このリンクは使えません', en: 'This link cannot be used' },
  404: { ja: 'ページが見つかりません', en: 'Page not found' },
};

/** Japanese first, then English; no script or inline style, so it meets the strictest CSP. */
export function errorPage(status: number, message: string): string {
  const title = TEXT[status] ?? { ja: 'リクエストを処理できませんでした', en: 'The request could not be handled' };
  return `<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title.ja)} / ${escapeHtml(title.en)}</title></head>
<body><h1>${escapeHtml(title.ja)}</h1><p lang="en"><strong>${escapeHtml(title.en)}</strong></p><p>${escapeHtml(message)}</p>
<p><a href="/">Mimamori のトップへ</a> · <a href="/" lang="en">Go to Mimamori</a></p><p><small>HTTP ${status}</small></p></body></html>`;
}
