import fsp from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { RequireActor } from '../auth/actors.ts';
import { AppError } from '../http/errors.ts';
import { TELEMETRY_TABLES, type BatchedWriter, type TelemetryTable } from '../storage/writer.ts';
import { listSetAside, removeSetAside, type SetAsideFile } from '../storage/set-aside.ts';
import type { Judge } from './judge.ts';

export interface SetAsideRoutesOptions {
  dataDir: string;
  writer: BatchedWriter;
  judge: Judge;
  requireActor: RequireActor;
}

const Name = Type.String({ pattern: '^(logs|metrics|probes)/[0-9A-Za-z-]{1,80}$', description: '<kind>/<file name without .ndjson>, as listed' });
const RetryBody = Type.Object({ names: Type.Optional(Type.Array(Name, { maxItems: 1000, description: 'default: every set-aside request' })) }, { additionalProperties: false });
const tags = ['ingest'];

/**
 * The write-ahead log as an administrator sees it: what waits for the
 * database, and the requests it refused (wal/<kind>/failed/), which can be
 * sent through the ingest judge again once the cause is fixed. Admin only.
 */
export async function setAsideRoutes(fastify: FastifyInstance, options: SetAsideRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { dataDir, writer, judge, requireActor } = options;
  const nameOf = (f: SetAsideFile) => `${f.kind}/${path.basename(f.file, '.ndjson')}`;

  app.get('/api/v1/wal', { config: { access: 'admin' }, schema: { tags, summary: 'Rows waiting for the database, and requests it refused (admin)', querystring: Type.Object({ lines: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 0, description: 'first lines of each refused request to show' })) }, { additionalProperties: false }) } }, async (request) => {
    requireActor(request, 'admin');
    const pending = Object.fromEntries(TELEMETRY_TABLES.map((kind) => {
      const { oldestMs, stalledMs } = writer.lag(kind);
      return [kind, { bytes: writer.pendingBytes(kind), oldest_unloaded_seconds: oldestMs / 1000, loader_stalled_seconds: stalledMs / 1000 }];
    }));
    const setAside = await Promise.all((await listSetAside(dataDir)).map(async (f) => {
      const { file, ...record } = f;
      const lines = request.query.lines ? (await fsp.readFile(file, 'utf8')).split('\n').filter(Boolean).slice(0, request.query.lines) : undefined;
      return { name: nameOf(f), ...record, ...(lines ? { lines } : {}) };
    }));
    return { pending, set_aside: setAside };
  });

  app.post('/api/v1/wal/retry', { config: { access: 'admin' }, schema: { tags, summary: 'Send refused requests through the ingest judge again (admin)', body: RetryBody } }, async (request) => {
    requireActor(request, 'admin');
    const wanted = request.body.names ? new Set(request.body.names) : undefined;
    const files = (await listSetAside(dataDir)).filter((f) => !wanted || wanted.has(nameOf(f)));
    if (wanted && files.length < wanted.size) {
      const found = new Set(files.map(nameOf));
      const missing = [...wanted].filter((n) => !found.has(n));
      throw new AppError(404, 'not_found', `no set-aside request named ${missing[0]}`, missing.map((n) => ({ field: 'names', reason: `not found: ${n}` })));
    }
    const results = [];
    for (const f of files) {
      const bytes = await fsp.readFile(f.file);
      try {
        const batch = judge(f.kind as TelemetryTable, bytes, 'application/x-ndjson');
        await writer.write(f.kind as TelemetryTable, batch.ndjson, batch.rows, '', { token: f.token ? `retry:${f.token}` : 'retry' });
        await removeSetAside(f.file);
        results.push({ name: nameOf(f), status: 'requeued', rows: batch.rows });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        results.push({ name: nameOf(f), status: 'refused', rows: 0, reason: error.message });
      }
    }
    return { results };
  });
}
