import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Storage } from '../storage/client.ts';
import { parseTimeRange } from '../shared/time-range.ts';
import { topPatterns } from './queries.ts';
import type { PatternMiner } from './miner.ts';

const DAY_MS = 86_400_000;

/** Learned log patterns (issue 18): the top ones of a range with counts, sparkline, new and surging ones. */
export async function patternRoutes(fastify: FastifyInstance, options: { storage: Storage; miner: PatternMiner; now: () => number }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/api/v1/patterns', {
    config: { access: 'viewer' },
    schema: {
      tags: ['read'],
      summary: 'Log patterns over a range, largest count first: template, counts, first/last seen, examples, a sparkline, new (first seen in the range) and surge_factor (rate over its rate in the 24 h before)',
      querystring: Type.Object({
        environment: Type.String({ minLength: 1, maxLength: 32 }),
        service: Type.Optional(Type.String({ maxLength: 200 })),
        level: Type.Optional(Type.String({ maxLength: 16 })),
        from: Type.Optional(Type.String({ description: 'RFC 3339 or epoch ms; default: a day before `to`' })),
        to: Type.Optional(Type.String({ description: 'default: now' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
      }, { additionalProperties: false }),
    },
  }, async (request) => {
    const q = request.query;
    const range = parseTimeRange(q, options.now(), DAY_MS);
    const patterns = await topPatterns(options.storage, { environment: q.environment, service: q.service, level: q.level, ...range }, q.limit ?? 50);
    return { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString(), miner_lag_ms: options.miner.lagMs(), patterns };
  });
}
