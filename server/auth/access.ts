import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { AppError } from '../http/errors.ts';
import { requireActor } from './actors.ts';
import type { Role } from './config.ts';
import { APP_SHELL_PAGES, OWN_CREDENTIAL_ROUTES, PUBLIC_ROUTES } from './public-routes.ts';
import { isAllowedAddress } from './address-ranges.ts';
import type { TokenGrant } from './api-tokens.ts';

/**
 * What a route needs: a role (an actor ranked at least so), `display` (the
 * wall: a viewer, or a display token), or `metrics` (Prometheus: open with
 * metrics.public, else from loopback or with a viewer's credential).
 */
export type Access = Role | 'display' | 'metrics';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    /** A wall screen's display token, when the request carries a valid one (it opens `display` routes only). */
    display: TokenGrant | undefined;
  }
}

const key = (method: string, url: string) => `${method} ${url}`;
const OPEN = new Set([...PUBLIC_ROUTES, ...OWN_CREDENTIAL_ROUTES].map((r) => key(r.method, r.url)));
for (const page of APP_SHELL_PAGES) OPEN.add(key('GET', page));
const methodsOf = (route: RouteOptions) => (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');

export interface AccessOptions {
  metricsPublic: boolean;
  /** Where administrators may act from (CIDR); empty: anywhere. */
  adminRanges: readonly string[];
}

/**
 * Every route declares the access it needs or is on the reviewed open list
 * (public-routes.ts); a route that does neither stops the app from starting.
 * Declared access is enforced when the request arrives, before its body is
 * read: 401 without a credential, 403 with too low a role.
 */
export function enforceAccess(app: FastifyInstance, options: AccessOptions): RouteTable {
  const table: RouteTable = [];
  app.addHook('onRoute', (route) => {
    const declared = route.config?.access;
    for (const method of methodsOf(route)) {
      table.push({ method, url: route.url, access: declared ?? 'open' });
      if (!declared && !OPEN.has(key(method, route.url))) {
        throw new Error(`route ${method} ${route.url} declares no access (config.access) and is not on the reviewed open list (server/auth/public-routes.ts)`);
      }
    }
  });
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config?.access;
    if (!access) return;
    if (access === 'metrics') return checkMetrics(request, options.metricsPublic);
    if (access === 'display' && request.display) return;
    requireActor(request, access === 'display' ? 'viewer' : access);
    if (access === 'admin') requireAdminAddress(request, options.adminRanges);
  });
  return table;
}

/** Administration only from http.admin_allow (routes declared `admin`, and a route's admin-only branches). */
export function requireAdminAddress(request: FastifyRequest, ranges: readonly string[]): void {
  if (!isAllowedAddress(request.ip, ranges)) {
    throw new AppError(403, 'address_not_allowed', `administration is allowed from ${ranges.join(', ')} only`, [{ field: 'address', reason: `${request.ip} is outside http.admin_allow` }]);
  }
}

function checkMetrics(request: FastifyRequest, metricsPublic: boolean): void {
  if (metricsPublic || request.actor || isAllowedAddress(request.ip, ['127.0.0.0/8', '::1/128'])) return;
  requireActor(request, 'viewer');
}

/** Every route of the app with what it needs, as registered (for the route-table test). */
export type RouteTable = { method: string; url: string; access: Access | 'open' }[];
