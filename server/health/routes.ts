import type { FastifyInstance } from 'fastify';
import type { Storage } from '../storage/client.ts';
import type { BatchedWriter } from '../storage/writer.ts';
import { TELEMETRY_TABLES } from '../storage/writer.ts';
import type { Metrics } from './metrics.ts';

export interface HealthOptions {
  storage: Storage;
  writer: BatchedWriter;
  metrics: Metrics;
  /** Readiness fails when the loader has made no progress this long while rows wait. */
  stallAfterMs: number;
  /** The log-pattern miner's progress, for /metrics. */
  miner?: { lagMs(): number; mined: number };
}

/** Liveness, readiness and Prometheus metrics for Mimamori itself (item 19). */
export async function healthRoutes(app: FastifyInstance, { storage, writer, metrics, stallAfterMs, miner }: HealthOptions): Promise<void> {
  app.get('/healthz', { schema: { tags: ['health'], summary: 'The process is up' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['health'], summary: 'Storage answers queries and accepted rows are being loaded' } }, async (_request, reply) => {
    const ok = await storage.ping();
    const { oldestMs, stalledMs } = writer.lag();
    const stalled = stalledMs > stallAfterMs;
    const status = !ok ? 'storage unavailable' : stalled ? 'loader stalled' : 'ready';
    return reply.code(ok && !stalled ? 200 : 503).send({
      status,
      storage: storage.mode,
      pending_bytes: writer.pendingBytes(),
      oldest_unloaded_seconds: oldestMs / 1000,
      loader_stalled_seconds: stalledMs / 1000,
    });
  });

  app.get('/metrics', { config: { access: 'metrics' }, schema: { tags: ['health'], summary: 'Prometheus metrics' } }, async (_request, reply) => {
    for (const kind of TELEMETRY_TABLES) {
      const { oldestMs, stalledMs } = writer.lag(kind);
      metrics.queueBytes.set({ kind }, writer.pendingBytes(kind));
      metrics.oldestUnloaded.set({ kind }, oldestMs / 1000);
      metrics.loaderStalled.set({ kind }, stalledMs / 1000);
    }
    if (miner) {
      metrics.patternsLag.set(miner.lagMs() / 1000);
      metrics.patternsMined.set(miner.mined);
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
