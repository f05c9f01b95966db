import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditFields } from './chain.ts';
import type { AuditSink } from './queue.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Record this read in the audit trail too (downloads and exports). */
    audit?: true;
  }
  interface FastifyRequest {
    /** What the route adds to its audit entry: the object it acted on, a little detail. */
    auditNote: { object?: Record<string, unknown>; detail?: string; actor?: string } | undefined;
  }
}

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Machine doors: telemetry and RUM flow, not actions of people (their own counters and logs account for them). */
const NOT_ACTIONS = /^\/api\/v1\/(ingest\/|faro\/collect)/;

/**
 * Every action of a person or a token enters the audit trail before its
 * answer leaves (onSend awaits the durable append): each change of state,
 * each sign-in and failed sign-in and sign-out, each download or export
 * (routes marked `audit: true`), and every administrative route. Nothing
 * from a request body is recorded, so no password or token can enter.
 */
export function recordActions(app: FastifyInstance, trail: AuditSink, now: () => number): void {
  app.decorateRequest('auditNote', undefined);
  app.addHook('onSend', async (request, reply, payload) => {
    const fields = auditFields(request, reply, payload, now());
    if (fields) await trail.append(fields);
    return payload;
  });
}

function auditFields(request: FastifyRequest, reply: FastifyReply, payload: unknown, at: number): AuditFields | undefined {
  const config = request.routeOptions.config;
  const route = request.routeOptions.url;
  if (!route || NOT_ACTIONS.test(request.url)) return undefined;
  const change = CHANGES.has(request.method);
  if (!change && !config?.audit && config?.access !== 'admin') return undefined;
  const actor = request.actor;
  const note = request.auditNote;
  const claimed = note?.actor;
  // Anonymous refusals (scanners, expired pages) are not actions of anyone; a sign-in names who it tried.
  if (!actor && !claimed) return undefined;
  const status = reply.statusCode;
  return {
    at,
    actor: actor?.name ?? claimed!,
    role: actor?.role ?? '',
    via: actor?.via ?? (claimed ? 'password' : ''),
    address: request.ip,
    action: `${request.method} ${route}`,
    object: JSON.stringify({ ...(request.params as object), ...createdObject(request, payload, status), ...note?.object }),
    result: status < 400 ? 'ok' : status < 500 ? 'refused' : 'failed',
    status,
    detail: (note?.detail ?? (status >= 400 ? errorCode(payload) : '')).slice(0, 500),
  };
}

/** A creation's new id or number, from its answer (a small JSON object). */
function createdObject(request: FastifyRequest, payload: unknown, status: number): Record<string, unknown> {
  if (request.method !== 'POST' || status !== 201 || typeof payload !== 'string' || payload.length > 100_000) return {};
  try {
    const body = JSON.parse(payload) as { id?: unknown; number?: unknown; info?: { id?: unknown } };
    const id = body.number ?? body.id ?? body.info?.id;
    return typeof id === 'string' ? { created: id } : {};
  } catch {
    return {};
  }
}

function errorCode(payload: unknown): string {
  if (typeof payload !== 'string') return '';
  try {
    return String((JSON.parse(payload) as { error?: unknown }).error ?? '');
  } catch {
    return '';
  }
}
