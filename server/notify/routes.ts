import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Storage } from '../storage/client.ts';
import { sql, typed } from '../storage/sql.ts';

const Query = Type.Object(
  {
    ticket: Type.Optional(Type.String({ maxLength: 64 })),
    status: Type.Optional(Type.String({ maxLength: 64, description: 'queued, sent, retry, failed, suppressed (comma list)' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
);

/** The notification log as people read it: what was sent to whom, what was held back and why. */
export async function notificationRoutes(fastify: FastifyInstance, options: { storage: Storage }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/api/v1/notifications', { config: { access: 'viewer' }, schema: { tags: ['alerts'], summary: 'Recent notifications, newest first, with their latest status', querystring: Query } }, async (request) => {
    const q = request.query;
    const statuses = q.status ? q.status.split(',') : [];
    const rows = await options.storage.query<Record<string, unknown>>(sql`
      SELECT id, argMax(status, (at, status != 'queued')) AS last_status, any(purpose) AS purpose, any(channel) AS channel, any(recipient) AS recipient,
             any(group_key) AS group_key, any(alert_keys) AS alert_keys, any(ticket) AS ticket_number, anyIf(subject, status = 'queued') AS subject,
             max(attempt) AS attempts, argMax(reason, at) AS last_reason, toUnixTimestamp64Milli(min(at)) AS first_ms, toUnixTimestamp64Milli(max(at)) AS last_ms
      FROM notifications GROUP BY id
      HAVING (${q.ticket ?? ''} = '' OR ticket_number = ${q.ticket ?? ''}) AND (empty(${statuses}) OR has(${statuses}, last_status))
      ORDER BY first_ms DESC LIMIT ${typed(q.limit ?? 100, 'UInt32')}`);
    return {
      notifications: rows.map((r) => ({
        id: r.id, status: r.last_status, purpose: r.purpose, channel: r.channel, recipient: r.recipient, group: r.group_key, alert_keys: r.alert_keys,
        ticket: r.ticket_number, subject: r.subject, attempts: r.attempts, reason: r.last_reason, first_at: new Date(Number(r.first_ms)).toISOString(), last_at: new Date(Number(r.last_ms)).toISOString(),
      })),
    };
  });
}
