// The general body timeout, per request: a request's body must arrive within
// http.body_timeout of the request reaching its route, or it is answered 408
// and its connection closed. Node's own server-wide `requestTimeout` cannot
// make an exception, so it is off (app.ts) and this hook does its work;
// Node's `headersTimeout` still bounds the headers.
//
// A route that reads its body as a stream under limits of its own (an idle
// timeout and a size cap, e.g. the k6 upload, whose files reach gigabytes)
// opts out with `config: { streamingBody: true }`.

import { PassThrough, type Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads its body as a stream under its own idle timeout and size cap: the general body timeout does not apply. */
    streamingBody?: boolean;
  }
}

/** Whether the request carries a body at all (Node's rule: chunked, or a non-zero Content-Length). */
function hasBody(request: FastifyRequest): boolean {
  const { headers } = request.raw;
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

/**
 * Every route's body is read through a pass-through that fails with 408
 * `body_timeout` when the deadline passes first. The socket itself is left
 * alone (destroying the request would destroy it too), so the 408 can be
 * sent; the error answer carries Connection: close, which ends the socket.
 */
export function limitBodyTime(app: FastifyInstance, bodyTimeoutMs: number): void {
  // An answer given before the body was read (401, 403, 404, a refusal of the
  // upload's parameters…) closes the connection: Node would otherwise drain
  // the unread body with no deadline, and a slow sender could hold it for ever.
  app.addHook('onSend', async (request, reply, payload) => {
    if (hasBody(request) && !request.raw.complete) reply.header('connection', 'close');
    return payload;
  });
  if (bodyTimeoutMs <= 0) return;
  app.addHook('preParsing', async (request: FastifyRequest, reply: FastifyReply, payload: Readable) => {
    if (request.routeOptions.config?.streamingBody || !hasBody(request) || request.raw.complete) return payload;
    const timed = new PassThrough();
    // A parser that has not started reading yet sees the failure as the stream's error state, not as an unheard 'error' event.
    timed.on('error', () => undefined);
    payload.pipe(timed);
    // pipe() does not pass a failure on: a client that goes away mid-body must not leave the parser waiting.
    payload.once('error', (error) => timed.destroy(error));
    payload.once('close', () => {
      if (!request.raw.complete && !payload.readableEnded) timed.destroy(new AppError(400, 'body_incomplete', 'the connection closed before the body was complete', [{ field: 'body', reason: 'incomplete' }]));
    });
    const timer = setTimeout(() => {
      if (request.raw.complete || reply.sent) return;
      payload.unpipe(timed);
      timed.destroy(new AppError(408, 'body_timeout', `the request body did not arrive within ${bodyTimeoutMs} ms (http.body_timeout)`, [{ field: 'body', reason: 'body timeout', limit: bodyTimeoutMs }], { connection: 'close' }));
    }, bodyTimeoutMs);
    const stop = () => clearTimeout(timer);
    payload.once('end', stop);
    reply.raw.once('close', stop);
    return timed;
  });
}
