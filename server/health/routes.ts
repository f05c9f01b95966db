import type { FastifyInstance } from 'fastify';
import type { Storage } from '../storage/client.ts';
import type { BatchedWriter } from '../storage/writer.ts';
import { TELEMETRY_TABLES } from '../storage/writer.ts';
import type { Metrics } from './metrics.ts';

export interface HealthOptions {
  storage: Storage;
  writer: BatchedWriter;
  metrics: Metrics;
}

/** Liveness, readiness and Prometheus metrics for Mimamori itself (item 19). */
export async function healthRoutes(app: FastifyInstance, { storage, writer, metrics }: HealthOptions): Promise<void> {
  app.get('/healthz', { schema: { tags: ['health'], summary: 'The process is up' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['health'], summary: 'Storage answers queries' } }, async (_request, reply) => {
    const ok = await storage.ping();
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'storage unavailable', storage: storage.mode, pending_bytes: writer.pendingBytes() });
  });

  app.get('/metrics', { schema: { tags: ['health'], summary: 'Prometheus metrics' } }, async (_request, reply) => {
    for (const kind of TELEMETRY_TABLES) metrics.queueBytes.set({ kind }, writer.pendingBytes(kind));
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
