import type { FastifyInstance } from 'fastify';
import type { Ledger } from './ledger.ts';
import type { AckLinks } from './ack-link.ts';
import { AppError } from '../http/errors.ts';
import { escapeHtml } from '../maintenance/page.ts';

export interface AckRouteOptions {
  ledger: Ledger;
  links: AckLinks;
  now: () => number;
}

const page = (title: string, body: string) => `<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.6}button{font-size:1.2rem;padding:.6rem 1.4rem}</style></head><body>${body}</body></html>`;

/**
 * The acknowledge link from a mail: GET shows the ticket and a button,
 * POST acknowledges as "mail:<recipient>". The signature and expiry are
 * checked on both; a bad or old link answers 403 and changes nothing.
 */
export async function ackRoutes(app: FastifyInstance, options: AckRouteOptions): Promise<void> {
  // The page's form posts no fields: everything is in the signed URL.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, _body, done) => done(null, {}));
  const verify = (request: { params: unknown; query: unknown }) => {
    const { number } = request.params as { number: string };
    const q = request.query as { r?: string; exp?: string; sig?: string };
    const reason = q.r && q.exp && q.sig ? options.links.check(number, q.r, Number(q.exp), q.sig, options.now()) : 'the link is incomplete';
    if (reason) throw new AppError(403, 'invalid_link', `${reason}; acknowledge in Mimamori instead / このリンクは無効です`, [{ field: 'sig', reason }]);
    return { number, recipient: q.r!, ticket: options.ledger.get(number) };
  };

  app.get('/ack/:number', { schema: { hide: true } }, async (request, reply) => {
    const { number, ticket } = verify(request);
    const done = ticket.status !== 'open';
    const action = escapeHtml(request.url);
    const body = done
      ? `<h1>${escapeHtml(number)}</h1><p>確認済みです（${escapeHtml(ticket.acknowledgedBy ?? '')}）。</p><p lang="en">Already acknowledged by ${escapeHtml(ticket.acknowledgedBy ?? '')}.</p>`
      : `<h1>${escapeHtml(number)}: ${escapeHtml(ticket.title)}</h1><p>環境: ${escapeHtml(ticket.environment)} / ${escapeHtml(ticket.severity)}</p>
<form method="post" action="${action}"><button type="submit">確認してエスカレーションを止める / Acknowledge</button></form>`;
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page(number, body));
  });

  app.post('/ack/:number', { schema: { hide: true } }, async (request, reply) => {
    // The audit trail records this under the mail's recipient, also when the link is refused.
    request.auditNote = { actor: `mail:${(request.query as { r?: string }).r ?? '?'}`, detail: 'acknowledge link from a mail' };
    const { number, recipient, ticket } = verify(request);
    if (ticket.status === 'open') await options.ledger.acknowledge(number, { name: `mail:${recipient}`, role: 'operator' });
    const by = options.ledger.get(number).acknowledgedBy ?? '';
    return reply.type('text/html; charset=utf-8').send(page(number, `<h1>${escapeHtml(number)}</h1><p>確認しました（${escapeHtml(by)}）。エスカレーションは停止しました。</p><p lang="en">Acknowledged by ${escapeHtml(by)}; escalation stopped.</p>`));
  });
}
