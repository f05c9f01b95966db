import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Storage } from '../storage/client.ts';
import { sql, ts, typed } from '../storage/sql.ts';
import { parseTimeRange } from '../shared/time-range.ts';
import type { AuditSink } from './queue.ts';
import { verifyChain } from './verify.ts';
import type { AuditFields } from './chain.ts';

const tags = ['audit'];

const Query = Type.Object(
  {
    actor: Type.Optional(Type.String({ maxLength: 100 })),
    action: Type.Optional(Type.String({ maxLength: 200, description: 'part of the action, e.g. "tickets" or "POST"' })),
    result: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('refused'), Type.Literal('failed')])),
    role: Type.Optional(Type.String({ maxLength: 20, description: 'e.g. "admin": the privileged actions' })),
    before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'entries before this sequence number (the next page: the last seq shown)' })),
    from: Type.Optional(Type.String({ description: 'epoch ms or RFC 3339 (default: 30 days before "to")' })),
    to: Type.Optional(Type.String({ description: 'epoch ms or RFC 3339 (default: now)' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
  },
  { additionalProperties: false },
);

/** One entry as the page shows it (the dashboard's type follows this). */
export const AuditEntryAnswer = Type.Object({
  seq: Type.Number(),
  at: Type.String(),
  actor: Type.String(),
  role: Type.String(),
  via: Type.String({ description: 'session, key, token, password (a sign-in), setup-link, mail link' }),
  address: Type.String(),
  action: Type.String({ description: 'METHOD /route' }),
  object: Type.Record(Type.String(), Type.Unknown(), { description: 'route parameters, the created id' }),
  result: Type.Union([Type.Literal('ok'), Type.Literal('refused'), Type.Literal('failed')]),
  status: Type.Number(),
  detail: Type.String(),
  hash: Type.String(),
});
const Head = Type.Object({ seq: Type.Number(), hash: Type.String() });
export const VerifyAnswer = Type.Object({
  ok: Type.Boolean(),
  entries: Type.Number(),
  last: Head,
  broken: Type.Optional(Type.Object({ seq: Type.Number(), reason: Type.String() })),
  seconds: Type.Number(),
});

interface AuditQuery {
  actor?: string;
  action?: string;
  result?: string;
  role?: string;
  before?: number;
  from: number;
  to: number;
}

/** The trail's rows matching a filter, newest first. (`at_ms`, not `at`: a SELECT alias would shadow the column in WHERE.) */
interface Row extends Omit<AuditFields, 'at'> {
  seq: number | string;
  at_ms: number | string;
  hash: string;
}

function auditRows(storage: Storage, q: AuditQuery, limit: number) {
  return storage.query<Row>(sql`
    SELECT seq, toUnixTimestamp64Milli(at) AS at_ms, actor, role, via, address, action, object, result, status, detail, hash
    FROM audit_log
    WHERE at >= ${ts(q.from)} AND at < ${ts(q.to)}
      AND (${q.actor ?? ''} = '' OR actor = ${q.actor ?? ''})
      AND (${q.action ?? ''} = '' OR positionCaseInsensitive(action, ${q.action ?? ''}) > 0)
      AND (${q.result ?? ''} = '' OR result = ${q.result ?? ''})
      AND (${q.role ?? ''} = '' OR role = ${q.role ?? ''})
      AND seq < ${typed(q.before ?? Number.MAX_SAFE_INTEGER, 'UInt64')}
    ORDER BY seq DESC LIMIT ${typed(limit, 'UInt32')}`);
}

/** The audit trail for administrators: browse and filter it, and prove it intact. */
export async function auditRoutes(fastify: FastifyInstance, options: { storage: Storage; trail: AuditSink; now: () => number }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { storage, trail } = options;

  app.get('/api/v1/audit', { config: { access: 'admin' }, schema: { tags, summary: 'The audit trail, newest first: who did what, when, from where, with what result', querystring: Query, response: { 200: Type.Object({ entries: Type.Array(AuditEntryAnswer) }) } } }, async (request) => {
    await trail.flush();
    const q = request.query;
    const range = parseTimeRange(q, options.now(), 30 * 86_400_000);
    const rows = await auditRows(storage, { ...q, ...range }, q.limit ?? 200);
    return { entries: rows.map(({ at_ms, ...r }) => ({ ...r, seq: Number(r.seq), at: new Date(Number(at_ms)).toISOString(), status: Number(r.status), object: JSON.parse(r.object || '{}') as Record<string, unknown> })) };
  });

  app.get('/api/v1/audit/verify', { config: { access: 'admin' }, schema: { tags, summary: 'Walks the whole chain: intact, or the first broken entry and why', response: { 200: VerifyAnswer } } }, async () => {
    const head = trail.current;
    await trail.flush();
    return verifyChain(storage, head, { upToHead: true });
  });
}
