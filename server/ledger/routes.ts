import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RequireActor, Actor } from '../auth/actors.ts';
import { AppError, badRequest } from '../http/errors.ts';
import type { Ledger } from './ledger.ts';
import type { WorkaroundCatalogue, WorkaroundVersion } from './workarounds.ts';
import type { Escalator } from './escalation.ts';
import { timings, type Ticket } from './model.ts';
import { ApplyWorkaround, Decision, NewTicket, Note, ReportBody, StatusChange, TicketListQuery, TicketParams, WorkaroundBody } from './schemas.ts';

export interface LedgerRouteOptions {
  ledger: Ledger;
  workarounds: WorkaroundCatalogue;
  escalator: Escalator;
  requireActor: RequireActor;
  environments: string[];
  /** Tells the foundation before and after a workaround runs (item 7). */
  announceWorkaround: (ticket: Ticket, id: string, version: WorkaroundVersion, phase: 'about_to_execute' | 'executed', actor: Actor, note?: string) => Promise<void>;
}

/** The ledger as an API: tickets (item 4-7, 12, 20) and the workaround catalogue. Every change names its actor. */
export async function ledgerRoutes(fastify: FastifyInstance, options: LedgerRouteOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { ledger, workarounds, requireActor } = options;
  const view = (t: Ticket, full = false) => {
    const { events, ...rest } = t;
    return {
      ...rest, ...timings(t), next_escalation: options.escalator.nextStep(t) ?? null,
      suggested_workaround: t.rule ? (workarounds.findFor({ kind: '', rule: t.rule, labels: t.labels ?? {} }) ?? null) : null,
      ...(full ? { events } : {}),
    };
  };
  const tags = ['ledger'];

  app.get('/api/v1/tickets', { config: { access: 'viewer' }, schema: { tags, summary: 'Tickets, newest first', querystring: TicketListQuery } }, async (request) => {
    const q = request.query;
    const statuses = q.status?.split(',');
    const rows = ledger.list().filter((t) => (!statuses || statuses.includes(t.status)) && (!q.environment || t.environment === q.environment) && (!q.type || t.type === q.type));
    return { total: rows.length, tickets: rows.slice(0, q.limit ?? 200).map((t) => view(t)) };
  });
  app.get('/api/v1/tickets/:number', { config: { access: 'viewer' }, schema: { tags, summary: 'One ticket with its whole history', params: TicketParams } }, async (request) => view(ledger.get(request.params.number), true));
  app.post('/api/v1/tickets', { config: { access: 'operator' }, schema: { tags, summary: 'Open a ticket by hand (an inquiry by phone or mail, a security report)', body: NewTicket } }, async (request, reply) => {
    const actor = requireActor(request, 'operator');
    const b = request.body;
    if (!options.environments.includes(b.environment)) throw badRequest('unknown_environment', `"${b.environment}" is not one of ${options.environments.join(', ')}`, [{ field: 'body.environment', reason: 'unknown environment' }]);
    const ticket = await ledger.openManual({ type: b.type ?? 'inquiry', title: b.title, description: b.description, environment: b.environment, severity: b.severity, reportedBy: b.reported_by, channel: b.channel }, actor);
    return reply.code(201).send(view(ticket, true));
  });
  app.post('/api/v1/tickets/:number/acknowledge', { config: { access: 'operator' }, schema: { tags, summary: 'Acknowledge: stops the escalation chain', params: TicketParams } }, async (request) => {
    return view(await ledger.acknowledge(request.params.number, requireActor(request, 'operator')), true);
  });
  app.post('/api/v1/tickets/:number/status', { config: { access: 'operator' }, schema: { tags, summary: 'Move along open → acknowledged → investigating → workaround_applied → resolved', params: TicketParams, body: StatusChange } }, async (request) => {
    return view(await ledger.setStatus(request.params.number, request.body.status, requireActor(request, 'operator'), request.body.note), true);
  });
  app.patch('/api/v1/tickets/:number/report', { config: { access: 'operator' }, schema: { tags, summary: 'Fill the report (event, cause, impact, interim and permanent fix), root cause, warranty decision', params: TicketParams, body: ReportBody } }, async (request) => {
    return view(await ledger.updateReport(request.params.number, request.body, requireActor(request, 'operator')), true);
  });
  app.post('/api/v1/tickets/:number/notes', { config: { access: 'operator' }, schema: { tags, summary: 'Add a note to the timeline', params: TicketParams, body: Note } }, async (request) => {
    return view(await ledger.note(request.params.number, request.body.text, requireActor(request, 'operator')), true);
  });
  app.post('/api/v1/tickets/:number/close', { config: { access: 'operator' }, schema: { tags, summary: 'Close: needs the five report fields, root cause and warranty decision (security: two more)', params: TicketParams, body: ReportBody } }, async (request) => {
    return view(await ledger.close(request.params.number, request.body, requireActor(request, 'operator')), true);
  });
  app.post('/api/v1/tickets/:number/workarounds/:id/apply', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Report a workaround before (about_to_execute) and after (executed) running it; approved ones only', params: { type: 'object', properties: { number: { type: 'string' }, id: { type: 'string' } }, required: ['number', 'id'] }, body: ApplyWorkaround },
  }, async (request) => {
    const actor = requireActor(request, 'operator');
    const { number, id } = request.params as { number: string; id: string };
    const { phase, note } = request.body;
    const version = workarounds.approvedVersion(id, request.body.version);
    const ticket = await ledger.record(number, 'workaround', actor, { workaround: id, version: version.version, phase, note }, (t) => {
      if (t.status === 'closed') throw new AppError(409, 'closed', `${number} is closed`);
      const announced = t.workarounds.some((w) => w.id === id && w.version === version.version && w.phase === 'about_to_execute');
      if (phase === 'executed' && !announced) throw new AppError(409, 'not_announced', `report ${id} v${version.version} as about_to_execute before executed`, [{ field: 'phase', reason: 'no about_to_execute yet' }]);
      return true;
    });
    if (phase === 'executed' && ticket && ['open', 'acknowledged', 'investigating'].includes(ticket.status)) await ledger.setStatus(number, 'workaround_applied', actor, `${id} v${version.version}`);
    await options.announceWorkaround(ledger.get(number), id, version, phase, actor, note);
    return view(ledger.get(number), true);
  });

  app.get('/api/v1/workarounds', { config: { access: 'viewer' }, schema: { tags, summary: 'The workaround catalogue with versions and approvals' } }, async () => ({ workarounds: workarounds.list() }));
  app.get('/api/v1/workarounds/:id', { config: { access: 'viewer' }, schema: { tags, summary: 'One workaround' } }, async (request) => workarounds.get((request.params as { id: string }).id));
  app.post('/api/v1/workarounds', { config: { access: 'operator' }, schema: { tags, summary: 'Add a procedure (a draft until approved)', body: WorkaroundBody } }, async (request, reply) => {
    const b = request.body;
    return reply.code(201).send(await workarounds.create({ title: b.title, steps: b.steps, appliesTo: b.applies_to }, requireActor(request, 'operator')));
  });
  app.put('/api/v1/workarounds/:id', { config: { access: 'operator' }, schema: { tags, summary: 'Revise: a new version, a draft again', body: WorkaroundBody } }, async (request) => {
    const b = request.body;
    return workarounds.revise((request.params as { id: string }).id, { title: b.title, steps: b.steps, appliesTo: b.applies_to }, requireActor(request, 'operator'));
  });
  for (const decision of ['approve', 'revoke'] as const) {
    app.post(`/api/v1/workarounds/:id/${decision}`, { config: { access: 'approver' }, schema: { tags, summary: `${decision === 'approve' ? 'Approve' : 'Revoke'} a version (approver role: the foundation)`, body: Decision } }, async (request) => {
      const actor = requireActor(request, 'approver');
      // Approval is the foundation's decision (item 5): administrators run Mimamori but do not approve.
      if (actor.role !== 'approver') throw new AppError(403, 'forbidden', `only the approver role may ${decision} workarounds; ${actor.name} is ${actor.role}`, [{ field: 'authorization', reason: 'not an approver' }]);
      return workarounds.decide((request.params as { id: string }).id, request.body.version, decision === 'approve' ? 'approved' : 'revoked', actor);
    });
  }
}
