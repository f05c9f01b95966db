import type { FastifyError, FastifyInstance } from 'fastify';
import { errorPage, wantsPage } from './error-page.ts';

export interface ErrorDetail {
  field?: string;
  line?: number;
  reason: string;
  [key: string]: unknown;
}

/** An error meant for the client: a code, an HTTP status, a message, details naming the bad field. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (code: string, message: string, details: ErrorDetail[] = []) => new AppError(400, code, message, details);
export const tooLarge = (message: string, details: ErrorDetail[] = []) => new AppError(413, 'too_large', message, details);

/** The one place errors become `{ error, message, details }`; 5xx never leak internals. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error }, error.message);
      if (wantsPage(request)) return reply.code(error.status).headers(error.headers).type('text/html; charset=utf-8').send(errorPage(error.status, error.message));
      return reply.code(error.status).headers(error.headers).send({ error: error.code, message: error.message, details: error.details });
    }
    if (error.validation) {
      const details = error.validation.map((v) => ({
        field: `${error.validationContext ?? ''}${v.instancePath.replaceAll('/', '.')}`.replace(/^\./, ''),
        reason: v.message ?? 'invalid',
      }));
      return reply.code(400).send({ error: 'invalid_request', message: `${details[0]?.field}: ${details[0]?.reason}`, details });
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(status).send({ error: 'internal_error', message: 'internal error; see the server log', details: [] });
    }
    const code = status === 413 ? 'too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request';
    return reply.code(status).send({ error: code, message: error.message, details: [] });
  });
  app.setNotFoundHandler((request, reply) => {
    if (wantsPage(request)) return reply.code(404).type('text/html; charset=utf-8').send(errorPage(404, `${request.url.split('?')[0]}`));
    reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}`, details: [] });
  });
}

/**
 * Ajv lets "1e400" through a numeric query parameter as Infinity (its
 * range checks do not see the coerced value), which JSON cannot carry. Any
 * number that reaches a route from the query string or path must be finite.
 */
export function refuseNonFiniteParameters(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    for (const [part, values] of [['querystring', request.query], ['params', request.params]] as const) {
      if (!values || typeof values !== 'object') continue;
      for (const [field, value] of Object.entries(values)) {
        if (typeof value === 'number' && !Number.isFinite(value)) {
          throw badRequest('invalid_request', `${field}: must be a finite number`, [{ field, reason: `out of range in the ${part}` }]);
        }
      }
    }
  });
}
