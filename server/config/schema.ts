import { Type, type Static } from 'typebox';
import { DURATION_PATTERN, SIZE_PATTERN } from '../../lib/units.ts';
import { TargetSchema } from '../../collectors/config.ts';
import { RulesSchema } from '../rules/config.ts';
import { EscalationSchema, NotifySchema } from '../notify/config.ts';
import { MaintenanceSchema } from '../maintenance/config.ts';
import { AccountsSchema, ApiKeysSchema } from '../auth/config.ts';
import { FaroConfigSchema } from '../faro/index.ts';

// The YAML file's shape. Later capabilities add their sections here; unknown
// keys are refused so that a typo never silently turns a setting off.

const Duration = Type.String({ pattern: DURATION_PATTERN, description: 'e.g. 200ms, 30s, 5m, 1h, 90d' });
const Size = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: SIZE_PATTERN })], { description: 'bytes, or e.g. 64KiB, 32MiB' });
export const ENVIRONMENT_NAME_PATTERN = '^[a-z][a-z0-9_-]{0,31}$';

export const ConfigFileSchema = Type.Object(
  {
    timezone: Type.Optional(Type.String({ minLength: 1 })),
    /** The service level the reports hold each target to: this share of probes answered within 5 s. */
    slo: Type.Optional(Type.Object({ objective_percent: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 100 })) }, { additionalProperties: false })),
    /** The CPU thresholds agreed with the foundation for capacity reviews (item 18); absent: each host's cpu rule, else 80 %. */
    capacity: Type.Optional(
      Type.Object(
        {
          default_percent: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100 })),
          environments: Type.Optional(Type.Record(Type.String(), Type.Number({ exclusiveMinimum: 0, maximum: 100 }))),
          hosts: Type.Optional(Type.Record(Type.String(), Type.Number({ exclusiveMinimum: 0, maximum: 100 }))),
          horizon_days: Type.Optional(Type.Integer({ minimum: 7, maximum: 730 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** Learned log patterns (issue 18): the background miner, on by default. */
    patterns: Type.Optional(Type.Object({ enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false })),
    /** What a release's test-result report holds each k6 run to (item 11), and how much worse than the previous release's run counts as a regression. */
    releases: Type.Optional(
      Type.Object(
        {
          p95_ms: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
          error_rate_percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
          checks_percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
          regression_margin_percent: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
          upload_max: Type.Optional(Type.String({ description: 'largest k6 upload, e.g. 2GiB' })),
          upload_idle_timeout: Type.Optional(Duration),
        },
        { additionalProperties: false },
      ),
    ),
    environments: Type.Optional(Type.Array(Type.String({ pattern: ENVIRONMENT_NAME_PATTERN }), { minItems: 1, uniqueItems: true })),
    retention: Type.Optional(
      Type.Object(
        { logs: Type.Optional(Duration), metrics: Type.Optional(Duration), probes: Type.Optional(Duration), rollups: Type.Optional(Duration) },
        { additionalProperties: false },
      ),
    ),
    ingest: Type.Optional(
      Type.Object(
        {
          max_body_bytes: Type.Optional(Size),
          max_line_bytes: Type.Optional(Size),
          max_rows: Type.Optional(Type.Integer({ minimum: 1 })),
          flush_interval: Type.Optional(Duration),
          flush_rows: Type.Optional(Type.Integer({ minimum: 1 })),
          max_pending_bytes: Type.Optional(Size),
          max_inflight_bytes: Type.Optional(Size),
          stall_after: Type.Optional(Duration),
        },
        { additionalProperties: false },
      ),
    ),
    http: Type.Optional(
      Type.Object(
        {
          body_timeout: Type.Optional(Duration),
          header_timeout: Type.Optional(Duration),
          keep_alive_timeout: Type.Optional(Duration),
          trust_proxy: Type.Optional(Type.Union([Type.Boolean(), Type.Integer({ minimum: 1 }), Type.Array(Type.String())], { description: 'behind a reverse proxy: true, the number of proxies, or their addresses (CIDR); the client address then comes from X-Forwarded-For' })),
          admin_allow: Type.Optional(Type.Array(Type.String(), { description: 'administration (admin-role routes) only from these source ranges (CIDR); empty: anywhere' })),
          max_streams_per_address: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
          max_streams_per_credential: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
        },
        { additionalProperties: false, description: 'every HTTP request: timeouts, proxies, who may administer, live streams' },
      ),
    ),
    metrics: Type.Optional(
      Type.Object({ public: Type.Optional(Type.Boolean({ description: 'open /metrics to anyone (default: loopback, or a viewer credential)' })) }, { additionalProperties: false }),
    ),
    agent: Type.Optional(
      Type.Object(
        { enabled: Type.Optional(Type.Boolean()), environment: Type.Optional(Type.String({ pattern: ENVIRONMENT_NAME_PATTERN })) },
        { additionalProperties: false, description: 'the in-process agent: this host, Mimamori\'s own log and /healthz' },
      ),
    ),
    ingest_tokens: Type.Optional(
      Type.Array(
        Type.Object(
          { name: Type.String({ minLength: 1 }), secret_env: Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$' }) },
          { additionalProperties: false },
        ),
      ),
    ),
    public_url: Type.Optional(Type.String({ pattern: '^https?://', description: 'how people reach this server; links in mails start with it' })),
    api_keys: Type.Optional(ApiKeysSchema),
    accounts: Type.Optional(AccountsSchema),
    targets: Type.Optional(Type.Array(TargetSchema, { description: 'synthetic probes run by the in-process agent' })),
    rules: Type.Optional(RulesSchema),
    evaluation_interval: Type.Optional(Duration),
    notify: Type.Optional(NotifySchema),
    escalation: Type.Optional(EscalationSchema),
    maintenance: Type.Optional(MaintenanceSchema),
    ack_link_ttl: Type.Optional(Duration),
    faro: Type.Optional(FaroConfigSchema),
  },
  { additionalProperties: false },
);

export type ConfigFile = Static<typeof ConfigFileSchema>;
