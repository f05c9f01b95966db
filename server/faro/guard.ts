import type { FastifyRequest } from 'fastify';
import { AppError } from '../http/errors.ts';
import type { FaroApp, ResolvedFaro } from './config.ts';
import type { RateLimiter } from './rate-limit.ts';

const ALLOW_HEADERS = 'content-type,x-api-key,x-faro-session-id,idempotency-key,traceparent';
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * Who may send: the app key picks the app (401 if unknown), the page's Origin
 * must be one the app allows (403), and each key + client IP has a rate (429).
 * A request without Origin is not from a page (curl, a proxy) and is let through.
 */
export class CollectGuard {
  private readonly byKey: Map<string, FaroApp>;
  private readonly admitted = new WeakMap<FastifyRequest, FaroApp>();

  private readonly selfOrigins: ReadonlySet<string>;

  constructor(
    faro: ResolvedFaro,
    private readonly limiter: RateLimiter,
    private readonly now: () => number,
    publicUrl: string,
  ) {
    this.byKey = new Map(faro.apps.map((a) => [a.key, a]));
    this.selfOrigins = selfOrigins(publicUrl);
  }

  /** CORS headers for a page origin that some app accepts; undefined for others and for no origin. */
  corsHeaders(request: FastifyRequest, preflight = false): Record<string, string> | undefined {
    const origin = request.headers.origin;
    if (!origin || ![...this.byKey.values()].some((app) => allows(app, origin, this.selfOrigins))) return undefined;
    const headers: Record<string, string> = { 'access-control-allow-origin': origin, vary: 'Origin' };
    if (!preflight) return { ...headers, 'access-control-expose-headers': 'retry-after' };
    return { ...headers, 'access-control-allow-methods': 'POST', 'access-control-allow-headers': ALLOW_HEADERS, 'access-control-max-age': String(PREFLIGHT_MAX_AGE_S) };
  }

  /** Admits a collect request or throws the coded error (with CORS headers, so the page can read it). */
  admit(request: FastifyRequest): FaroApp {
    const cors = this.corsHeaders(request) ?? {};
    const key = request.headers['x-api-key'];
    const app = typeof key === 'string' ? this.byKey.get(key) : undefined;
    if (!app) {
      throw new AppError(401, 'unauthorized', 'an x-api-key header naming a configured Faro app (faro.apps[].key) is required', [{ field: 'x-api-key', reason: key ? 'unknown key' : 'missing' }], cors);
    }
    const origin = request.headers.origin;
    if (origin && !allows(app, origin, this.selfOrigins)) {
      throw new AppError(403, 'origin_not_allowed', `origin ${origin} may not send for app "${app.name}"`, [{ field: 'origin', reason: `not in faro.apps origins of "${app.name}"` }], cors);
    }
    const waitMs = this.limiter.take(`${app.key}\n${request.ip}`, this.now());
    if (waitMs > 0) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      throw new AppError(429, 'rate_limited', `too many requests for app "${app.name}" from this client; retry in ${seconds} s`, [{ reason: 'rate limit per app key and client IP' }], { ...cors, 'retry-after': String(seconds) });
    }
    this.admitted.set(request, app);
    return app;
  }

  /** The app that admit() let in for this request. */
  appOf(request: FastifyRequest): FaroApp {
    const app = this.admitted.get(request);
    if (!app) throw new Error('collect request was not admitted');
    return app;
  }
}

function allows(app: FaroApp, origin: string, self: ReadonlySet<string>): boolean {
  return app.origins.some((allowed) => allowed === '*' || allowed === origin || (allowed === 'self' && self.has(origin)));
}

/**
 * What "self" means: Mimamori's own origin from the configuration
 * (public_url), never from the request's Host header, which the client
 * writes. On loopback, its other spellings (localhost, 127.0.0.1, [::1]).
 */
export function selfOrigins(publicUrl: string): ReadonlySet<string> {
  const url = new URL(publicUrl);
  const origins = new Set([url.origin]);
  if (['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
    for (const host of ['localhost', '127.0.0.1', '[::1]']) origins.add(`${url.protocol}//${host}${url.port ? `:${url.port}` : ''}`);
  }
  return origins;
}
