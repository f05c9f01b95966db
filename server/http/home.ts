import type { FastifyInstance } from 'fastify';

// Without a dashboard build (dashboard/dist), "/" says that Mimamori runs and where to look.
const PAGE = `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>Mimamori 見守り</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.6 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1d2330}
h1{font-size:1.6rem}code{background:#eef1f6;padding:.1rem .3rem;border-radius:.2rem}a{color:#1b5fc1}</style></head>
<body><h1>Mimamori 見守り is running / 稼働中</h1>
<p>監視と SLO のサービスが起動しています。The observability and SLO service is up.</p>
<ul>
<li><a href="/api/docs">API documentation (OpenAPI) / API ドキュメント</a></li>
<li><a href="/healthz">/healthz</a> · <a href="/readyz">/readyz</a> · <a href="/metrics">/metrics</a></li>
</ul>
<p>Send data to <code>POST /api/v1/ingest/logs</code>, <code>/metrics</code>, <code>/probes</code> with an ingest token.</p>
</body></html>`;

export async function homeRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
}
