import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { TicketParams } from '../ledger/schemas.ts';
import type { KnownIncidents } from './known-incidents.ts';

/** Known incidents (item 6): earlier tickets like this one, ranked, with the reason and the workarounds approved now. */
export async function knownIncidentRoutes(fastify: FastifyInstance, options: { known: KnownIncidents }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/api/v1/tickets/:number/suggestions', {
    config: { access: 'viewer' },
    schema: {
      tags: ['ledger'],
      summary: 'Earlier closed tickets whose alert or unusual error patterns match what is seen around this ticket: root cause, fixes, workarounds (offered only when approved), and why each matched',
      params: TicketParams,
    },
  }, async (request) => options.known.suggestionsFor(request.params.number));
}
