import type { FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';

/**
 * Headers a security review expects on every answer (item 13, 17), from
 * @fastify/helmet: nosniff, no referrer (a wall's or a link's token never
 * leaks in Referer), same-origin opener, HSTS when served over https. The
 * Content-Security-Policy depends on the page: the dashboard gets a strict
 * one (its build uses no inline script or style), the self-contained pages
 * (maintenance, acknowledge link, API docs) allow their own inline styles,
 * and only the maintenance page may be framed (the monitored site's proxy
 * shows it).
 */
const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
const PAGE_CSP = (framing: string) => ["default-src 'none'", "style-src 'unsafe-inline'", "img-src 'self' data:", "form-action 'self'", "base-uri 'none'", `frame-ancestors ${framing}`].join('; ');
const DOCS_CSP = ["default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"].join('; ');

export function policyFor(url: string): string {
  if (url.startsWith('/maintenance') && !url.startsWith('/maintenance-windows')) return PAGE_CSP('*');
  if (url.startsWith('/ack/')) return PAGE_CSP("'none'");
  // Printable report pages: their own inline style and SVG, no script.
  if (url.startsWith('/api/v1/reports/') || /^\/api\/v1\/releases\/[^/]+\/report/.test(url)) return PAGE_CSP("'none'");
  if (url.startsWith('/api/docs')) return DOCS_CSP;
  return APP_CSP;
}

export async function registerSecurityHeaders(app: FastifyInstance, options: { https: boolean }): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: false, // set below, per page
    frameguard: false, // frame-ancestors in the CSP says it, and lets the maintenance page be framed
    referrerPolicy: { policy: 'no-referrer' },
    hsts: options.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginResourcePolicy: false, // the Faro receiver answers other sites' pages (CORS decides)
  });
  app.addHook('onSend', async (request, reply) => {
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', policyFor(request.url));
  });
}
