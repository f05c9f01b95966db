import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DISPLAY_COOKIE } from '../auth/actors.ts';
import { APP_SHELL_PAGES } from '../auth/public-routes.ts';
import fastifyStatic from '@fastify/static';
import { homeRoutes } from './home.ts';

export const DASHBOARD_DIST = path.resolve(import.meta.dirname, '..', '..', 'dashboard', 'dist');


/**
 * Serves the built dashboard (dashboard/dist): hashed assets with a long
 * cache life, the page paths with index.html (never cached, so a new build
 * shows at once). Without a build, "/" keeps the plain status page.
 */
export interface DashboardOptions {
  dist?: string;
  /** A wall screen opened as /wall?token=<display token>: whether the token is a valid display token. */
  isDisplayToken?: (token: string) => Promise<boolean>;
  /** Secure cookies (people reach Mimamori over https). */
  secure?: boolean;
}

export async function dashboardRoutes(app: FastifyInstance, options: DashboardOptions = {}): Promise<void> {
  const dist = options.dist ?? DASHBOARD_DIST;
  const index = path.join(dist, 'index.html');
  if (!fs.existsSync(index)) {
    await app.register(homeRoutes);
    return;
  }
  // Read once: the build does not change under a running server (`npm start` builds before listening).
  const html = await fs.promises.readFile(index);
  await app.register(fastifyStatic, { root: path.join(dist, 'assets'), prefix: '/assets/', immutable: true, maxAge: '365d', decorateReply: false, wildcard: true, preCompressed: false });
  for (const page of APP_SHELL_PAGES) {
    app.get(page, { schema: { hide: true } }, async (request, reply) => {
      if (page === '/wall' && options.isDisplayToken && (await exchangeDisplayToken(request, reply, options.isDisplayToken, options.secure ?? false))) return reply;
      reply.header('cache-control', 'no-cache');
      return reply.type('text/html; charset=utf-8').send(html);
    });
  }
}

/**
 * A kiosk opens the wall once as /wall?token=<display token>: the token is
 * set as an HttpOnly cookie and the browser is sent on to the same address
 * without it, so it lingers in no address bar, history, log or Referer.
 */
async function exchangeDisplayToken(request: FastifyRequest, reply: FastifyReply, isDisplayToken: (token: string) => Promise<boolean>, secure: boolean): Promise<boolean> {
  const url = new URL(request.url, 'http://wall');
  const token = url.searchParams.get('token');
  if (token === null) return false;
  if (!(await isDisplayToken(token))) {
    reply.code(401).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_A_DISPLAY_TOKEN);
    return true;
  }
  url.searchParams.delete('token');
  reply.setCookie(DISPLAY_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', secure, maxAge: 400 * 86_400 });
  reply.header('cache-control', 'no-store').redirect(`/wall${url.search}`, 303);
  return true;
}

const NOT_A_DISPLAY_TOKEN = `<!doctype html><html lang="ja"><meta charset="utf-8"><title>Mimamori</title>
<body><h1>表示用トークンが無効です / This display token is not valid</h1>
<p>取り消されたか、誤っています。管理者に新しい表示用トークンを依頼してください。</p>
<p>It was revoked or mistyped. Ask an administrator for a new display token.</p></body></html>`;
