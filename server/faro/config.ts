import { Type, type Static } from 'typebox';
import { readOrCreateSecretFile } from '../shared/secret-file.ts';

type Fail = (path: (string | number)[], reason: string) => Error;

/** `self` = the page is served by this server; `*` = any page may send. */
const ORIGIN_DESCRIPTION = 'page origins allowed to send, e.g. https://portal.example.jp; "self" for same-origin, "*" for any';

/**
 * `faro:` — browsers running the Grafana Faro web SDK. An app key is public
 * (it ships in the page's JavaScript), so it is written inline; what keeps
 * strangers out is the origin list and the rate limit.
 */
export const FaroConfigSchema = Type.Object(
  {
    apps: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' }),
            key: Type.String({ pattern: '^[\\x21-\\x7e]{8,128}$', description: 'the apiKey given to initializeFaro (sent as x-api-key)' }),
            environment: Type.String({ minLength: 1 }),
            origins: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: ORIGIN_DESCRIPTION }),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    rate_limit_per_minute: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'requests per app key and client IP (default 600)' })),
  },
  { additionalProperties: false },
);

export interface FaroApp {
  name: string;
  key: string;
  environment: string;
  /** Normalised origins (scheme://host[:port]), or the words "self" / "*". */
  origins: string[];
}

export interface ResolvedFaro {
  apps: FaroApp[];
  ratePerMinute: number;
}

export const DASHBOARD_APP = 'mimamori-dashboard';
export const DASHBOARD_KEY_FILE = 'faro-key';
const DEFAULT_RATE_PER_MINUTE = 600;

/** Checks the `faro:` section: unique names and keys, known environments, well-formed origins. */
export function resolveFaro(raw: Static<typeof FaroConfigSchema> | undefined, environments: readonly string[], fail: Fail): ResolvedFaro {
  const names = new Set<string>([DASHBOARD_APP]);
  const keys = new Set<string>();
  const apps = (raw?.apps ?? []).map((app, i) => {
    const at = (...rest: (string | number)[]) => ['faro', 'apps', i, ...rest];
    if (names.has(app.name)) throw fail(at('name'), app.name === DASHBOARD_APP ? `"${DASHBOARD_APP}" is reserved for Mimamori's own dashboard` : `"${app.name}" is used by an earlier app`);
    names.add(app.name);
    if (keys.has(app.key)) throw fail(at('key'), 'the same key is used by an earlier app; each app needs its own');
    keys.add(app.key);
    if (!environments.includes(app.environment)) throw fail(at('environment'), `"${app.environment}" is not one of the environments (${environments.join(', ')})`);
    const origins = app.origins.map((origin, j) => {
      const normal = normaliseOrigin(origin);
      if (!normal) throw fail(at('origins', j), `"${origin}" is not an origin: give scheme://host[:port] without a path, "self" or "*"`);
      return normal;
    });
    return { name: app.name, key: app.key, environment: app.environment, origins };
  });
  return { apps, ratePerMinute: raw?.rate_limit_per_minute ?? DEFAULT_RATE_PER_MINUTE };
}

/**
 * Adds the app that Mimamori's own dashboard reports as: its key lives in
 * <dataDir>/faro-key (created on first start), same-origin only.
 */
export function withDashboardApp(faro: ResolvedFaro, dataDir: string, environments: readonly string[]): ResolvedFaro {
  const key = readOrCreateSecretFile(dataDir, DASHBOARD_KEY_FILE);
  const app: FaroApp = { name: DASHBOARD_APP, key, environment: environments[0] ?? 'production', origins: ['self'] };
  return { ...faro, apps: [...faro.apps.filter((a) => a.name !== DASHBOARD_APP), app] };
}

function normaliseOrigin(origin: string): string | undefined {
  if (origin === 'self' || origin === '*') return origin;
  if (!/^https?:\/\/[^/?#\s]+\/?$/i.test(origin)) return undefined;
  try {
    return new URL(origin).origin;
  } catch {
    return undefined;
  }
}
