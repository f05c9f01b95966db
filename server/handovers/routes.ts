import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Handover, HandoverLedger } from './ledger.ts';

const tags = ['handovers'];
const Day = (description: string) => Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description });
const Party = (description: string) => Type.String({ minLength: 1, maxLength: 200, description });

const HandoverAnswer = Type.Object({
  id: Type.String(),
  handed_on: Type.String({ description: 'date' }),
  from: Type.String(),
  to: Type.String(),
  content: Type.String(),
  means: Type.String(),
  returned_on: Type.Union([Type.String(), Type.Null()], { description: 'null while it is out' }),
  note: Type.String(),
  recorded_by: Type.String(),
  recorded_at: Type.String(),
});

const view = (h: Handover) => ({ id: h.id, handed_on: h.handedOn, from: h.from, to: h.to, content: h.content, means: h.means, returned_on: h.returnedOn, note: h.note, recorded_by: h.recordedBy, recorded_at: new Date(h.recordedAt).toISOString() });

/** The ledger of confidential-data hand-overs (item 16): operators record them, anyone signed in reads them. */
export async function handoverRoutes(fastify: FastifyInstance, options: { ledger: HandoverLedger }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { ledger } = options;

  app.get('/api/v1/handovers', { config: { access: 'viewer' }, schema: { tags, summary: 'Hand-overs of confidential data, newest first; returned_on null while out', response: { 200: Type.Object({ handovers: Type.Array(HandoverAnswer) }) } } }, async () => ({ handovers: ledger.list().map(view) }));

  app.post('/api/v1/handovers', {
    config: { access: 'operator' },
    schema: {
      tags,
      summary: 'Record a hand-over of confidential data: date, from, to, content, means',
      response: { 201: HandoverAnswer },
      body: Type.Object(
        {
          handed_on: Day('when it was handed over (date)'),
          from: Party('who handed it over'),
          to: Party('who received it'),
          content: Type.String({ minLength: 1, maxLength: 2000, description: 'what: the data, its extent' }),
          means: Type.String({ minLength: 1, maxLength: 200, description: 'how: encrypted USB, e-mail with a separate password, paper…' }),
          note: Type.Optional(Type.String({ maxLength: 2000 })),
        },
        { additionalProperties: false },
      ),
    },
  }, async (request, reply) => {
    const b = request.body;
    return reply.code(201).send(view(await ledger.record({ handedOn: b.handed_on, from: b.from, to: b.to, content: b.content, means: b.means, note: b.note }, request.actor!.name)));
  });

  app.post('/api/v1/handovers/:id/returned', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Record that it came back (or was destroyed)', params: Type.Object({ id: Type.String({ maxLength: 40 }) }), body: Type.Object({ returned_on: Day('when'), note: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }), response: { 200: HandoverAnswer } },
  }, async (request) => view(await ledger.returned(request.params.id, request.body.returned_on, request.body.note ?? '', request.actor!.name)));
}
