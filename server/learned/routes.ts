import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { LearnedState } from './document.ts';
import { exportLearned, importLearned, type LearnedParts } from './state.ts';

/** A learned state can be large (10,000 templates per service at most). */
const IMPORT_LIMIT_BYTES = 256 * 1024 * 1024;

/** The learned state (issue 18, item 8) out and in, for administrators; both are in the audit trail. */
export async function learnedStateRoutes(fastify: FastifyInstance, parts: LearnedParts): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['patterns'];
  app.get('/api/v1/learned-state', {
    config: { access: 'admin' },
    schema: { tags, summary: 'Export what was learned: parse trees, pattern catalogue with aliases, incident links (docs/LEARNED-STATE.md)' },
  }, async (_request, reply) => {
    const doc = await exportLearned(parts);
    return reply.header('content-disposition', `attachment; filename="mimamori-learned-state-${doc.exported_at.slice(0, 10)}.json"`).send(doc);
  });
  app.post('/api/v1/learned-state', {
    config: { access: 'admin' },
    bodyLimit: IMPORT_LIMIT_BYTES,
    schema: { tags, summary: 'Import a learned state: adds what this instance lacks, keeps what it learned itself', body: LearnedState },
  }, async (request) => importLearned(parts, request.body));
}
