import { Transform, type Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditFields } from './chain.ts';
import type { AuditSink } from './queue.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Record this read in the audit trail too (downloads and exports).
     * `at_stream_end`: a streamed answer (NDJSON progress, then the file)
     * whose outcome is known only when it ends is recorded then, with the
     * outcome the route states in `request.auditOutcome`.
     */
    audit?: true | 'at_stream_end';
  }
  interface FastifyRequest {
    /** What the route adds to its audit entry: the object it acted on, a little detail. */
    auditNote: { object?: Record<string, unknown>; detail?: string; actor?: string } | undefined;
    /** A streamed answer that failed after its 200 went out: the status and error code to record instead. */
    auditOutcome: { status: number; detail: string } | undefined;
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
 * A streamed answer of a route marked `audit: 'at_stream_end'` is recorded
 * when the stream ends instead, with its real outcome: its 200 leaves
 * before the work that may still fail.
 */
export function recordActions(app: FastifyInstance, trail: AuditSink, now: () => number): void {
  app.decorateRequest('auditNote', undefined);
  app.decorateRequest('auditOutcome', undefined);
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.routeOptions.config?.audit === 'at_stream_end' && isStream(payload) && auditFields(request, reply, undefined, 0)) {
      return recordAtEnd(payload, async (cut) => {
        const outcome = cut ? { status: 500, detail: 'stream_cut_short' } : request.auditOutcome;
        await trail.append(auditFields(request, reply, undefined, now(), outcome)!);
      }, (error) => request.log.error({ err: error }, 'audit entry of a streamed answer failed'));
    }
    const fields = auditFields(request, reply, payload, now());
    if (fields) await trail.append(fields);
    return payload;
  });
}

const isStream = (payload: unknown): payload is Readable => typeof (payload as Readable | null)?.pipe === 'function';

/**
 * The stream passed through; the entry written when it ends, before its
 * end reaches the client (so an answer read to its end is on record), or
 * when it is cut short (the source failed, the client went away).
 */
function recordAtEnd(source: Readable, record: (cut: boolean) => Promise<void>, failed: (error: unknown) => void): Readable {
  let recorded = false;
  const once = (cut: boolean) => {
    recorded = true;
    return record(cut);
  };
  const tail = new Transform({
    transform: (chunk: Buffer, _encoding, done) => done(null, chunk),
    flush: (done) => void once(false).then(() => done(), (error: Error) => (failed(error), done(error))),
  });
  source.on('error', (error) => tail.destroy(error));
  tail.on('close', () => {
    if (!recorded) once(true).catch(failed);
  });
  return source.pipe(tail);
}

function auditFields(request: FastifyRequest, reply: FastifyReply, payload: unknown, at: number, outcome?: { status: number; detail: string }): AuditFields | undefined {
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
  const status = outcome?.status ?? reply.statusCode;
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
    detail: (outcome?.detail ?? note?.detail ?? (status >= 400 ? errorCode(payload) : '')).slice(0, 500),
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
