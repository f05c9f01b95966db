import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/load.ts';
import { isProduction } from '../shared/environments.ts';
import { COLLECT_PATH, DASHBOARD_APP, type ResolvedFaro } from '../faro/index.ts';


/** What the dashboard needs before its first screen: environments (production marked), time zone, its own Faro app. */
export async function uiConfigRoutes(app: FastifyInstance, options: { config: Config; faro: ResolvedFaro; version: string }): Promise<void> {
  app.get('/api/v1/ui-config', { schema: { tags: ['read'], summary: 'Settings the dashboard starts with' } }, async () => {
    const own = options.faro.apps.find((a) => a.name === DASHBOARD_APP);
    return {
      version: options.version,
      timezone: options.config.timezone,
      environments: options.config.environments.map((name) => ({ name, production: isProduction(name) })),
      faro: own ? { url: COLLECT_PATH, apiKey: own.key, app: own.name, environment: own.environment } : undefined,
    };
  });
}
