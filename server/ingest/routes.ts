import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError, badRequest } from '../http/errors.ts';
import { TELEMETRY_TABLES, type BatchedWriter } from '../storage/writer.ts';
import type { Metrics } from '../health/metrics.ts';
import type { EventBus } from '../shared/event-bus.ts';
import { matchBearer, type IngestToken } from './auth.ts';
import { readBody, returnBodyMemory, type BodyBudget } from './decode.ts';
import type { Judge } from './judge.ts';
import type { RecentKeys } from './idempotency.ts';
import { ErrorBody, IngestAccepted, RECORD_SCHEMAS } from './schemas.ts';

export interface IngestOptions {
  writer: BatchedWriter;
  tokens: () => readonly IngestToken[];
  /** Ingest tokens made on the admin page (mimi_…): the token's name when valid. */
  issuedToken?: (bearer: string, address: string) => Promise<string | undefined>;
  /** The one judge of a row (judge.ts). */
  judge: Judge;
  limits: { maxBodyBytes: number; maxPendingBytes: number };
  /** Decoded request bodies in memory at once, across requests. */
  budget: BodyBudget;
  recentKeys: RecentKeys;
  metrics: Metrics;
  bus: EventBus;
  now?: () => number;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;

declare module 'fastify' {
  interface FastifyRequest {
    /** Name of the ingest token the request carries (set before the body is read). */
    ingestToken: string;
    /** Hands the decoded body's bytes back to the shared budget. */
    releaseBody: (() => void) | undefined;
  }
}

export async function ingestRoutes(app: FastifyInstance, options: IngestOptions): Promise<void> {
  const { writer, limits, recentKeys, metrics, bus, budget } = options;
  const now = options.now ?? Date.now;
  const { judge } = options;

  // This context parses nothing itself: the handler sees the decoded bytes,
  // read under the per-request limit and the shared in-memory budget.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', async (request: FastifyRequest, payload: Readable) => {
    const { body, release } = await readBody(payload, request.headers, limits, budget);
    request.releaseBody = release;
    return body;
  });
  const release = async (request: FastifyRequest) => request.releaseBody?.();
  app.addHook('onResponse', release);
  app.addHook('onRequestAbort', release);

  app.decorateRequest('ingestToken', '');
  app.decorateRequest('releaseBody', undefined);
  app.addHook('onRequest', async (request) => {
    const bearer = /^Bearer\s+(mimi_\S+)\s*$/.exec(request.headers.authorization ?? '')?.[1];
    const token = bearer && options.issuedToken ? await options.issuedToken(bearer, request.ip) : matchBearer(request.headers.authorization, options.tokens());
    request.ingestToken = token ?? '';
    if (!token) {
      metrics.ingestRejected.inc({ kind: kindOf(request), reason: 'unauthorized' });
      throw new AppError(401, 'unauthorized', 'a valid ingest token is required: Authorization: Bearer <token>', [{ field: 'authorization', reason: 'missing or unknown token' }], {
        'www-authenticate': 'Bearer realm="mimamori-ingest"',
      });
    }
  });
  app.addHook('onError', async (request, _reply, error) => {
    if (error instanceof AppError && error.status !== 401) metrics.ingestRejected.inc({ kind: kindOf(request), reason: error.code });
    else if ((error as { statusCode?: number }).statusCode === 413) metrics.ingestRejected.inc({ kind: kindOf(request), reason: 'too_large' });
  });

  for (const kind of TELEMETRY_TABLES) {
    app.post(`/api/v1/ingest/${kind}`, {
      // The body is validated row by row by the handler; the schema is for the OpenAPI document.
      validatorCompiler: () => (value: unknown) => ({ value }),
      schema: {
        tags: ['ingest'],
        summary: `Store ${kind}`,
        description: `A JSON array or NDJSON (application/x-ndjson) of ${kind} records, optionally gzip-compressed. The whole batch is validated first; any bad row rejects it all. Answers once the rows are durable.`,
        body: Type.Array(RECORD_SCHEMAS[kind]),
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ description: 'retrying with the same key stores the batch once' })) }),
        security: [{ bearer: [] }],
        response: { 200: IngestAccepted, 400: ErrorBody, 401: ErrorBody, 413: ErrorBody, 415: ErrorBody, 503: ErrorBody },
      },
      handler: async (request) => {
        const key = idempotencyKey(request);
        if (key) {
          const prior = recentKeys.lookup(key, now());
          if (prior) {
            metrics.ingestDuplicates.inc({ kind });
            return { accepted: (await prior).rows, duplicate: true };
          }
        }
        // Registered under its key before the first await, so a concurrent
        // retry of the same batch waits for this one instead of writing too.
        const store = async () => {
          const batch = judge(kind, (request.body as Buffer | undefined) ?? Buffer.alloc(0), request.headers['content-type']);
          if (writer.pendingBytes() > limits.maxPendingBytes) {
            throw new AppError(503, 'overloaded', 'ingest is behind; retry shortly', [{ reason: `more than ${limits.maxPendingBytes} bytes waiting for the database` }], { 'retry-after': '5' });
          }
          const started = performance.now();
          await writer.write(kind, batch.ndjson, batch.rows, key ?? '', { token: request.ingestToken });
          metrics.ingestWriteSeconds.observe({ kind }, (performance.now() - started) / 1000);
          metrics.ingestRows.inc({ kind }, batch.rows);
          metrics.ingestBytes.inc({ kind }, batch.ndjson.length);
          metrics.ingestBatches.inc({ kind });
          bus.emit('ingested', { kind, rows: batch.rows, records: batch.records });
          returnBodyMemory(request.body); // durable in the log and counted; batch.ndjson may be these very bytes
          return { rows: batch.rows };
        };
        const outcome = key ? await recentKeys.run(key, now(), store) : await store();
        return { accepted: outcome.rows, duplicate: false };
      },
    });
  }
}

function idempotencyKey(request: FastifyRequest): string | undefined {
  const value = request.headers['idempotency-key'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !KEY_PATTERN.test(value)) {
    throw badRequest('invalid_idempotency_key', 'Idempotency-Key must be 1-128 printable ASCII characters', [{ field: 'idempotency-key', reason: 'invalid' }]);
  }
  return value;
}

function kindOf(request: FastifyRequest): string {
  return /\/ingest\/(\w+)/.exec(request.url)?.[1] ?? 'unknown';
}
