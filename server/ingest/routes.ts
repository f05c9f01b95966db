import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError, badRequest } from '../http/errors.ts';
import { TELEMETRY_TABLES, type TelemetryTable, type BatchedWriter } from '../storage/writer.ts';
import type { Metrics } from '../health/metrics.ts';
import type { EventBus } from '../shared/event-bus.ts';
import { matchBearer, type IngestToken } from './auth.ts';
import { bodyFormat, decodeBody } from './decode.ts';
import { validateArray, validateNdjson, type ValidBatch } from './validate.ts';
import type { RecentKeys } from './idempotency.ts';
import { ErrorBody, IngestAccepted, RECORD_SCHEMAS } from './schemas.ts';

export interface IngestOptions {
  writer: BatchedWriter;
  tokens: () => readonly IngestToken[];
  environments: readonly string[];
  limits: { maxBodyBytes: number; maxLineBytes: number; maxRows: number; maxPendingBytes: number };
  retentionDays: Record<TelemetryTable, number>;
  recentKeys: RecentKeys;
  metrics: Metrics;
  bus: EventBus;
  now?: () => number;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;

export async function ingestRoutes(app: FastifyInstance, options: IngestOptions): Promise<void> {
  const { writer, limits, recentKeys, metrics, bus } = options;
  const now = options.now ?? Date.now;
  const environments = new Set(options.environments);

  // This context parses nothing itself: the handler sees the raw bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limits.maxBodyBytes }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (request) => {
    if (!matchBearer(request.headers.authorization, options.tokens())) {
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
          const batch = await parseBatch(kind, (request.body as Buffer | undefined) ?? Buffer.alloc(0), request);
          if (writer.pendingBytes() > limits.maxPendingBytes) {
            throw new AppError(503, 'overloaded', 'ingest is behind; retry shortly', [{ reason: `more than ${limits.maxPendingBytes} bytes waiting for the database` }], { 'retry-after': '5' });
          }
          const started = performance.now();
          await writer.write(kind, batch.ndjson, batch.rows, key ?? '');
          metrics.ingestWriteSeconds.observe({ kind }, (performance.now() - started) / 1000);
          metrics.ingestRows.inc({ kind }, batch.rows);
          metrics.ingestBytes.inc({ kind }, batch.ndjson.length);
          metrics.ingestBatches.inc({ kind });
          bus.emit('ingested', { kind, rows: batch.rows, records: batch.records });
          return { rows: batch.rows };
        };
        const outcome = key ? await recentKeys.run(key, now(), store) : await store();
        return { accepted: outcome.rows, duplicate: false };
      },
    });
  }

  async function parseBatch(kind: TelemetryTable, body: Buffer, request: FastifyRequest): Promise<ValidBatch> {
    const raw = await decodeBody(body, request.headers['content-encoding'], limits.maxBodyBytes);
    const ctx = { environments, maxLineBytes: limits.maxLineBytes, maxRows: limits.maxRows, now: now(), retentionDays: options.retentionDays[kind], keepRecords: kind !== 'logs' };
    if (bodyFormat(request.headers['content-type'], raw) === 'ndjson') return validateNdjson(kind, raw, ctx);
    let items: unknown;
    try {
      items = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      throw badRequest('invalid_json', `body is not valid JSON: ${(error as Error).message}`, [{ field: 'body', reason: (error as Error).message }]);
    }
    if (!Array.isArray(items)) throw badRequest('invalid_json', 'a JSON body must be an array of records', [{ field: 'body', reason: 'not an array' }]);
    return validateArray(kind, items, ctx);
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
