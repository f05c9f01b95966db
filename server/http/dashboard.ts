import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { homeRoutes } from './home.ts';

export const DASHBOARD_DIST = path.resolve(import.meta.dirname, '..', '..', 'dashboard', 'dist');

/** The app's page paths: each answers with the single-page app, which routes in the browser. */
const PAGES = ['/', '/wall', '/login', '/setup', '/password', '/users', '/incidents', '/incidents/:number', '/targets/:environment/:target', '/hosts/:environment/:host', '/logs', '/maintenance-windows'];

/**
 * Serves the built dashboard (dashboard/dist): hashed assets with a long
 * cache life, the page paths with index.html (never cached, so a new build
 * shows at once). Without a build, "/" keeps the plain status page.
 */
export async function dashboardRoutes(app: FastifyInstance, options: { dist?: string } = {}): Promise<void> {
  const dist = options.dist ?? DASHBOARD_DIST;
  const index = path.join(dist, 'index.html');
  if (!fs.existsSync(index)) {
    await app.register(homeRoutes);
    return;
  }
  // Read once: the build does not change under a running server (`npm start` builds before listening).
  const html = await fs.promises.readFile(index);
  await app.register(fastifyStatic, { root: path.join(dist, 'assets'), prefix: '/assets/', immutable: true, maxAge: '365d', decorateReply: false, wildcard: true, preCompressed: false });
  for (const page of PAGES) {
    app.get(page, { schema: { hide: true } }, async (_request, reply) => {
      reply.header('cache-control', 'no-cache');
      return reply.type('text/html; charset=utf-8').send(html);
    });
  }
}
