// Every route either declares the role it needs (`config: { access }`) or
// is listed here, with the reason it may be reached without one. The app
// refuses to start with a route that does neither, so nothing new is ever
// public by accident. Review this list in every security review.

export interface OpenRoute {
  method: string;
  /** The route's path as registered (":param" and "*" as fastify has them). */
  url: string;
  why: string;
}

/** No credential at all: nothing internal in the answer. */
export const PUBLIC_ROUTES: readonly OpenRoute[] = [
  { method: 'GET', url: '/healthz', why: 'liveness for the load balancer; answers only "ok"' },
  { method: 'GET', url: '/readyz', why: 'readiness for the load balancer; storage mode and loader ages, no data' },
  { method: 'GET', url: '/maintenance', why: 'the maintenance screen the monitored site’s reverse proxy shows (item 3)' },
  { method: 'GET', url: '/api/v1/status', why: 'whether maintenance is in force, for that reverse proxy; window times and messages only' },
  { method: 'GET', url: '/api/v1/ui-config', why: 'what the sign-in page needs: time zone, environments, the public Faro key' },
  { method: 'GET', url: '/api/v1/faro/client-config', why: 'what the Faro web SDK needs: its public app key and endpoint' },
  { method: 'GET', url: '/api/v1/setup', why: 'whether the first administrator is still to be created, and the password policy text' },
  { method: 'GET', url: '/api/v1/session', why: 'who is signed in: `user: null` to anyone else' },
  { method: 'GET', url: '/api/docs', why: 'the API’s documentation; holds no data' },
  { method: 'GET', url: '/api/docs/', why: 'the API’s documentation; holds no data' },
  { method: 'GET', url: '/api/docs/*', why: 'the API documentation page’s files' },
  { method: 'GET', url: '/api/docs/json', why: 'the OpenAPI document' },
  { method: 'GET', url: '/api/docs/yaml', why: 'the OpenAPI document' },
  { method: 'GET', url: '/api/docs/static/index.html', why: 'the API documentation page' },
  { method: 'GET', url: '/api/docs/static/swagger-initializer.js', why: 'the API documentation page' },
  { method: 'GET', url: '/assets/*', why: 'the dashboard’s built scripts and styles' },
  { method: 'GET', url: '/*', why: 'the dashboard’s own files when no build exists (status page)' },
];

/** Doors that check a credential of their own before anything else. */
export const OWN_CREDENTIAL_ROUTES: readonly OpenRoute[] = [
  { method: 'POST', url: '/api/v1/ingest/logs', why: 'ingest token' },
  { method: 'POST', url: '/api/v1/ingest/metrics', why: 'ingest token' },
  { method: 'POST', url: '/api/v1/ingest/probes', why: 'ingest token' },
  { method: 'POST', url: '/api/v1/loadtests', why: 'ingest token (CI posting a k6 summary) or an operator, checked in onRequest before the body is read' },
  { method: 'POST', url: '/api/v1/faro/collect', why: 'Faro app key and allowed origin' },
  { method: 'OPTIONS', url: '/api/v1/faro/collect', why: 'CORS preflight for the Faro receiver' },
  { method: 'GET', url: '/ack/:number', why: 'signed, expiring acknowledge link from an alert mail (shows a page only)' },
  { method: 'POST', url: '/ack/:number', why: 'signed, expiring acknowledge link from an alert mail' },
  { method: 'POST', url: '/api/v1/session', why: 'sign-in: the password (rate-limited per address, account lockout)' },
  { method: 'POST', url: '/api/v1/setup', why: 'first run: the one-time setup link’s token' },
  { method: 'DELETE', url: '/api/v1/session', why: 'sign-out: ends the caller’s own session, if any' },
];

/** The dashboard's page paths: each answers the same app shell, with no data in it; the app signs in first. */
export const APP_SHELL_PAGES: readonly string[] = ['/', '/wall', '/login', '/setup', '/password', '/users', '/tokens', '/incidents', '/incidents/:number', '/targets/:environment/:target', '/hosts/:environment/:host', '/logs', '/maintenance-windows', '/audit', '/requests', '/handovers', '/reports', '/releases'];
