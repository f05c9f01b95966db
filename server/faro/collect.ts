import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Storage } from '../storage/client.ts';
import { AppError, badRequest } from '../http/errors.ts';
import { ErrorBody } from '../ingest/schemas.ts';
import type { ResolvedFaro } from './config.ts';
import { CollectGuard } from './guard.ts';
import { RateLimiter } from './rate-limit.ts';
import { RecentKeys } from './recent-keys.ts';
import { countRows, toRumRows } from './rows.ts';
import { insertRumRows } from './queries.ts';
import { CollectAccepted, CollectHeaders, FaroPayload } from './schemas.ts';
import { parseFaroBody } from './validate.ts';

export const COLLECT_PATH = '/api/v1/faro/collect';
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;
const KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;

export interface CollectOptions {
  storage: Storage;
  faro: ResolvedFaro;
  now: () => number;
  maxBodyBytes: number;
  /** Mimamori's own address (public_url): what an app's "self" origin means. */
  publicUrl: string;
}

/** The Faro collector endpoint in its own context, so its CORS and key checks touch nothing else. */
export async function collectRoutes(app: FastifyInstance, options: CollectOptions): Promise<void> {
  const { storage, now } = options;
  const guard = new CollectGuard(options.faro, new RateLimiter(options.faro.ratePerMinute), now, options.publicUrl);
  const recent = new RecentKeys();

  // fetch sends application/json, sendBeacon text/plain: both are JSON, read as bytes and parsed once.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.maxBodyBytes }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'POST') return;
    reply.headers(guard.corsHeaders(request) ?? {});
    guard.admit(request);
  });

  app.options(COLLECT_PATH, { schema: { hide: true } }, async (request, reply) => {
    const headers = guard.corsHeaders(request, true);
    if (!headers) throw new AppError(403, 'origin_not_allowed', `origin ${request.headers.origin ?? '(none)'} is not allowed by any Faro app`, [{ field: 'origin', reason: 'not in faro.apps origins' }]);
    return reply.code(204).headers(headers).send();
  });

  app.post(COLLECT_PATH, {
    // The handler validates (one path for JSON and text/plain bodies); the schema documents the API.
    validatorCompiler: () => (value: unknown) => ({ value }),
    schema: {
      tags: ['ingest'],
      summary: 'Real-user monitoring from the Grafana Faro web SDK',
      description: 'What initializeFaro({ url, apiKey }) sends: logs, exceptions, measurements (web vitals) and events. Environment and app come from the key\'s configuration. Traces are accepted and not stored.',
      body: FaroPayload,
      headers: CollectHeaders,
      response: { 202: CollectAccepted, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 413: ErrorBody, 429: ErrorBody },
    },
    handler: async (request, reply) => {
      const faroApp = guard.appOf(request);
      const key = idempotencyKey(request);
      const scoped = key && `${faroApp.name}:${key}`;
      if (scoped) {
        const prior = recent.lookup(scoped, now());
        if (prior !== undefined) return reply.code(202).send({ accepted: await prior, duplicate: true });
      }
      const store = async () => {
        const payload = parseFaroBody(request.body as Buffer | undefined);
        const session = request.headers['x-faro-session-id'];
        const rows = toRumRows(payload, { app: faroApp, sessionHeader: typeof session === 'string' ? session : undefined, now: now() });
        await insertRumRows(storage, rows, scoped);
        return countRows(rows);
      };
      const accepted = scoped ? await recent.run(scoped, now, store) : await store();
      return reply.code(202).send({ accepted, duplicate: false });
    },
  });
}

function idempotencyKey(request: FastifyRequest): string | undefined {
  const value = request.headers['idempotency-key'];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !KEY_PATTERN.test(value)) {
    throw badRequest('invalid_idempotency_key', 'idempotency-key must be 1-128 printable ASCII characters', [{ field: 'idempotency-key', reason: 'invalid' }]);
  }
  return value;
}
