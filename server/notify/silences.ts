import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Storage } from '../storage/client.ts';
import { dateTimeText, sql } from '../storage/sql.ts';
import type { Actor, RequireActor } from '../auth/actors.ts';
import type { Alert } from '../rules/types.ts';
import { AppError, badRequest } from '../http/errors.ts';

export interface Silence {
  id: string;
  matchers: Record<string, string>;
  createdAt: number;
  createdBy: string;
  endsAt: number;
  comment: string;
  expiredBy?: string;
}

const MATCHABLE = ['rule', 'environment', 'target', 'host', 'service'] as const;
const MAX_SILENCE_MS = 30 * 86_400_000;

/**
 * Silences (Alertmanager's term): until `endsAt`, alerts whose rule and
 * labels match every matcher are not notified; the dispatcher records each
 * held-back alert with the silence id. Rules still evaluate and tickets
 * still record the alert once the silence ends.
 */
export class Silences {
  private readonly items = new Map<string, Silence>();

  private constructor(private readonly storage: Storage, private readonly now: () => number) {}

  static async open(storage: Storage, now: () => number): Promise<Silences> {
    const silences = new Silences(storage, now);
    const rows = await storage.query<{ silence: string; event: string; actor: string; matchers: Record<string, string>; at_ms: number; ends_ms: number; comment: string }>(sql`
      SELECT silence, event, actor, matchers, toUnixTimestamp64Milli(at) AS at_ms, toUnixTimestamp64Milli(ends_at) AS ends_ms, comment FROM silence_events ORDER BY at`);
    for (const r of rows) silences.fold(r.silence, r.event, r.actor, r.matchers, Number(r.at_ms), Number(r.ends_ms), r.comment);
    return silences;
  }

  /** The silence that holds this alert back now, if any. */
  matching(alert: Pick<Alert, 'rule' | 'labels'>, at: number): Silence | undefined {
    const labels: Record<string, string | undefined> = { ...alert.labels, rule: alert.rule };
    return [...this.items.values()].find((s) => s.endsAt > at && s.createdAt <= at && Object.entries(s.matchers).every(([k, v]) => labels[k] === v));
  }

  list(includeExpired: boolean): Silence[] {
    const now = this.now();
    return [...this.items.values()].filter((s) => includeExpired || s.endsAt > now).sort((a, b) => b.createdAt - a.createdAt);
  }

  async create(matchers: Record<string, string>, endsAt: number, comment: string, actor: Actor): Promise<Silence> {
    const now = this.now();
    if (Object.keys(matchers).length === 0) throw badRequest('invalid_silence', 'a silence needs at least one matcher', [{ field: 'matchers', reason: 'empty' }]);
    if (endsAt <= now) throw badRequest('invalid_silence', 'ends_at must be in the future', [{ field: 'ends_at', reason: 'not in the future' }]);
    if (endsAt - now > MAX_SILENCE_MS) throw badRequest('invalid_silence', 'a silence lasts at most 30 days', [{ field: 'ends_at', reason: 'more than 30 days ahead' }]);
    const id = randomUUID();
    await this.append(id, 'created', actor, matchers, endsAt, comment);
    return this.items.get(id)!;
  }

  async expire(id: string, actor: Actor): Promise<Silence> {
    const silence = this.items.get(id);
    if (!silence) throw new AppError(404, 'not_found', `no silence ${id}`, [{ field: 'id', reason: 'unknown silence' }]);
    if (silence.endsAt <= this.now()) throw new AppError(409, 'expired', `silence ${id} has already ended`);
    await this.append(id, 'expired', actor, silence.matchers, this.now(), silence.comment);
    return silence;
  }

  private async append(id: string, event: string, actor: Actor, matchers: Record<string, string>, endsAt: number, comment: string): Promise<void> {
    const at = this.now();
    await this.storage.insertRows('silence_events', [{ at: dateTimeText(at), silence: id, event, actor: actor.name, actor_role: actor.role, matchers, ends_at: dateTimeText(endsAt), comment }], randomUUID());
    this.fold(id, event, actor.name, matchers, at, endsAt, comment);
  }

  private fold(id: string, event: string, actor: string, matchers: Record<string, string>, at: number, endsAt: number, comment: string): void {
    if (event === 'created') this.items.set(id, { id, matchers, createdAt: at, createdBy: actor, endsAt, comment });
    const s = this.items.get(id);
    if (event === 'expired' && s) Object.assign(s, { endsAt: at, expiredBy: actor });
  }
}

const NewSilence = Type.Object(
  {
    matchers: Type.Object(Object.fromEntries(MATCHABLE.map((k) => [k, Type.Optional(Type.String({ minLength: 1 }))])), { additionalProperties: false }),
    ends_at: Type.Union([Type.Integer(), Type.String({ format: 'date-time' })], { description: 'epoch ms or RFC 3339' }),
    comment: Type.String({ minLength: 1, maxLength: 2000, description: 'why, for the audit trail' }),
  },
  { additionalProperties: false },
);

export async function silenceRoutes(fastify: FastifyInstance, options: { silences: Silences; requireActor: RequireActor }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['alerts'];
  app.get('/api/v1/silences', { config: { access: 'viewer' }, schema: { tags, summary: 'Silences in force (all=true: also ended ones)', querystring: Type.Object({ all: Type.Optional(Type.Boolean()) }) } }, async (request) => ({ silences: options.silences.list(request.query.all ?? false) }));
  app.post('/api/v1/silences', { config: { access: 'operator' }, schema: { tags, summary: 'Hold back notifications of matching alerts until ends_at', body: NewSilence } }, async (request, reply) => {
    const actor = options.requireActor(request, 'operator');
    const b = request.body;
    const endsAt = typeof b.ends_at === 'number' ? b.ends_at : Date.parse(b.ends_at);
    return reply.code(201).send(await options.silences.create(b.matchers as Record<string, string>, endsAt, b.comment, actor));
  });
  app.delete('/api/v1/silences/:id', { config: { access: 'operator' }, schema: { tags, summary: 'End a silence now' } }, async (request) => options.silences.expire((request.params as { id: string }).id, options.requireActor(request, 'operator')));
}
