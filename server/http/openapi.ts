import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

/** OpenAPI for the whole HTTP API, from the routes' own schemas, served at /api/docs. */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: 'Mimamori API', description: 'Observability and SLO service: ingest, read models, health.', version },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'ingest token' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
}
