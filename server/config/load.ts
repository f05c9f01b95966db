import fs from 'node:fs';
import path from 'node:path';
import { Compile } from 'typebox/compile';
import { ConfigFileSchema, type ConfigFile } from './schema.ts';
import { parseDurationMs, parseSizeBytes } from '../../lib/units.ts';
import { ConfigError, parseYaml } from '../../lib/yaml-file.ts';
import { resolveTargets, type TargetConfig } from '../../collectors/config.ts';
import { resolveRules } from '../rules/resolve.ts';
import type { Rule } from '../rules/types.ts';
import { resolveNotify, type NotifySettings } from '../notify/settings.ts';
import { resolveMaintenance, type MaintenanceDefinition } from '../maintenance/index.ts';
import type { ApiKey } from '../auth/actors.ts';
import { resolveAccounts, type AccountsSettings } from '../auth/config.ts';
import { isCidr } from '../auth/address-ranges.ts';
import { resolveFaro, type ResolvedFaro } from '../faro/index.ts';

export { ConfigError };

export interface Config {
  /** Where the settings came from: a file path, or "built-in defaults". */
  source: string;
  timezone: string;
  environments: string[];
  retention: { logsDays: number; metricsDays: number; probesDays: number; rollupsDays: number };
  ingest: {
    maxBodyBytes: number;
    maxLineBytes: number;
    maxRows: number;
    flushIntervalMs: number;
    flushRows: number;
    /** Back-pressure: above this many bytes waiting in the write-ahead log, ingest answers 503. */
    maxPendingBytes: number;
    /** Decoded request bodies held in memory at once, across requests (503 beyond). */
    maxInflightBytes: number;
    /** Readiness fails, and the built-in alert fires, when the loader has made no progress this long while rows wait. */
    stallAfterMs: number;
  };
  http: {
    /** The whole request, headers and body, must arrive within this (408 and close otherwise). */
    bodyTimeoutMs: number;
    headerTimeoutMs: number;
    keepAliveTimeoutMs: number;
    /** Fastify's trustProxy: the client address from X-Forwarded-For behind these proxies. */
    trustProxy: boolean | number | string[];
    /** Admin-role routes only from these ranges (CIDR); empty: anywhere. */
    adminAllow: string[];
    maxStreamsPerAddress: number;
    maxStreamsPerCredential: number;
  };
  /** /metrics open to anyone (else loopback or a viewer credential). */
  metricsPublic: boolean;
  /** Reports: the share of probes that must answer within 5 s (default 99 %). */
  sloObjectivePercent: number;
  /** Capacity review: agreed CPU thresholds (host over environment over default) and how far ahead a crossing calls for a proposal. */
  capacity: { defaultPercent?: number; environments: Record<string, number>; hosts: Record<string, number>; horizonDays: number };
  /** Log patterns: whether the background miner runs. */
  patterns: { enabled: boolean };
  /** Releases: the test-result report's criteria (p95 < 5 s, errors < 1 %, checks ≥ 99 % by default) and the regression margin against the previous release. */
  releases: { p95Ms: number; errorRatePercent: number; checksPercent: number; regressionMarginPercent: number; uploadMaxBytes: number; uploadIdleTimeoutMs: number };
  ingestTokens: { name: string; secret: string }[];
  /** The in-process agent that `start` runs (Mimamori watching its own host). */
  agent: { enabled: boolean; environment: string };
  /** Probes the in-process agent runs (besides its own /healthz). */
  targets: TargetConfig[];
  publicUrl: string;
  apiKeys: ApiKey[];
  /** Personal accounts: the password policy, sessions, lockout. */
  accounts: AccountsSettings;
  rules: Rule[];
  evaluationIntervalMs: number;
  notify: NotifySettings;
  maintenance: MaintenanceDefinition[];
  ackLinkTtlMs: number;
  /** Real-user monitoring: app keys and origins of pages that report with the Faro web SDK. */
  faro: ResolvedFaro;
}

const checkFile = Compile(ConfigFileSchema);
const MIN_SECRET_LENGTH = 16;

/** MIMAMORI_CONFIG, else ./mimamori.yaml if present, else built-in defaults. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const explicit = env.MIMAMORI_CONFIG;
  const file = explicit ? path.resolve(cwd, explicit) : path.join(cwd, 'mimamori.yaml');
  if (!fs.existsSync(file)) {
    if (explicit) throw new ConfigError(file, undefined, 'file not found (MIMAMORI_CONFIG)');
    return resolveConfig({}, 'built-in defaults', env, () => undefined);
  }
  return parseConfigText(fs.readFileSync(file, 'utf8'), file, env);
}

export function parseConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const { data, lineOf } = parseYaml(text, file, checkFile);
  return resolveConfig(data as ConfigFile, file, env, lineOf);
}

function resolveConfig(
  raw: ConfigFile,
  source: string,
  env: NodeJS.ProcessEnv,
  lineOf: (p: (string | number)[]) => number | undefined,
): Config {
  const fail = (p: (string | number)[], reason: string) => new ConfigError(source, lineOf(p), `${p.join('.')}: ${reason}`);
  const timezone = raw.timezone ?? 'Asia/Tokyo';
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw fail(['timezone'], `unknown time zone "${timezone}"`);
  }
  const days = (key: 'logs' | 'metrics' | 'probes' | 'rollups', fallback: string) => {
    const ms = parseDurationMs(raw.retention?.[key] ?? fallback);
    if (ms < 86_400_000) throw fail(['retention', key], 'must be at least 1d');
    return Math.round(ms / 86_400_000);
  };
  const ingestTokens = (raw.ingest_tokens ?? []).map((token, i) => {
    const secret = env[token.secret_env];
    if (!secret) throw fail(['ingest_tokens', i, 'secret_env'], `environment variable ${token.secret_env} is not set`);
    if (secret.length < MIN_SECRET_LENGTH) throw fail(['ingest_tokens', i, 'secret_env'], `${token.secret_env} must be at least ${MIN_SECRET_LENGTH} characters`);
    return { name: token.name, secret };
  });
  const ingest = raw.ingest ?? {};
  const environments = raw.environments ?? ['production', 'staging', 'integration'];
  if (raw.agent?.environment && !environments.includes(raw.agent.environment)) throw fail(['agent', 'environment'], `"${raw.agent.environment}" is not one of the environments`);
  const agentEnvironment = raw.agent?.environment ?? environments[0]!;
  const apiKeys = (raw.api_keys ?? []).map((key, i) => {
    const secret = env[key.secret_env];
    if (!secret) throw fail(['api_keys', i, 'secret_env'], `environment variable ${key.secret_env} is not set`);
    if (secret.length < MIN_SECRET_LENGTH) throw fail(['api_keys', i, 'secret_env'], `${key.secret_env} must be at least ${MIN_SECRET_LENGTH} characters`);
    return { name: key.actor, role: key.role, secret };
  });
  const targets = resolveTargets(raw.targets, agentEnvironment, fail);
  for (const [i, t] of targets.entries()) if (!environments.includes(t.environment)) throw fail(['targets', i, 'environment'], `"${t.environment}" is not one of the environments`);
  const notify = resolveNotify(raw.notify, raw.escalation, env, fail);
  const rules = resolveRules(raw.rules, { recipients: new Set(notify.recipients.keys()), chains: new Set(notify.chains.keys()), environments }, fail);
  const cidrs = <T>(p: string[], value: T): T => {
    if (Array.isArray(value)) for (const [i, range] of value.entries()) if (!isCidr(range)) throw fail([...p, i], `"${range}" is not an address or a CIDR range`);
    return value;
  };
  const duration = (p: string[], value: string) => {
    try {
      return parseDurationMs(value);
    } catch (error) {
      throw fail(p, (error as Error).message);
    }
  };
  return {
    source,
    timezone,
    environments,
    retention: { logsDays: days('logs', '90d'), metricsDays: days('metrics', '400d'), probesDays: days('probes', '400d'), rollupsDays: days('rollups', '800d') },
    ingest: {
      maxBodyBytes: parseSizeBytes(ingest.max_body_bytes ?? '32MiB'),
      maxLineBytes: parseSizeBytes(ingest.max_line_bytes ?? '64KiB'),
      maxRows: ingest.max_rows ?? 50_000,
      flushIntervalMs: parseDurationMs(ingest.flush_interval ?? '200ms'),
      flushRows: ingest.flush_rows ?? 50_000,
      maxPendingBytes: parseSizeBytes(ingest.max_pending_bytes ?? '1GiB'),
      maxInflightBytes: parseSizeBytes(ingest.max_inflight_bytes ?? '64MiB'),
      stallAfterMs: duration(['ingest', 'stall_after'], ingest.stall_after ?? '1m'),
    },
    http: {
      bodyTimeoutMs: duration(['http', 'body_timeout'], raw.http?.body_timeout ?? '30s'),
      headerTimeoutMs: duration(['http', 'header_timeout'], raw.http?.header_timeout ?? '10s'),
      keepAliveTimeoutMs: duration(['http', 'keep_alive_timeout'], raw.http?.keep_alive_timeout ?? '75s'),
      trustProxy: cidrs(['http', 'trust_proxy'], raw.http?.trust_proxy ?? false),
      adminAllow: cidrs(['http', 'admin_allow'], raw.http?.admin_allow ?? []),
      maxStreamsPerAddress: raw.http?.max_streams_per_address ?? 32,
      maxStreamsPerCredential: raw.http?.max_streams_per_credential ?? 8,
    },
    metricsPublic: raw.metrics?.public ?? false,
    sloObjectivePercent: raw.slo?.objective_percent ?? 99,
    patterns: { enabled: raw.patterns?.enabled ?? true },
    releases: {
      p95Ms: raw.releases?.p95_ms ?? 5000,
      errorRatePercent: raw.releases?.error_rate_percent ?? 1,
      checksPercent: raw.releases?.checks_percent ?? 99,
      regressionMarginPercent: raw.releases?.regression_margin_percent ?? 10,
      uploadMaxBytes: parseSizeBytes(raw.releases?.upload_max ?? '2GiB'),
      // A k6 upload streams past http.body_timeout; it is cut off only when no bytes arrive for this long.
      uploadIdleTimeoutMs: duration(['releases', 'upload_idle_timeout'], raw.releases?.upload_idle_timeout ?? '30s'),
    },
    capacity: { defaultPercent: raw.capacity?.default_percent, environments: raw.capacity?.environments ?? {}, hosts: raw.capacity?.hosts ?? {}, horizonDays: raw.capacity?.horizon_days ?? 90 },
    ingestTokens,
    agent: { enabled: raw.agent?.enabled ?? true, environment: agentEnvironment },
    targets,
    publicUrl: (env.MIMAMORI_PUBLIC_URL ?? raw.public_url ?? `http://localhost:${env.PORT ?? 8080}`).replace(/\/$/, ''),
    apiKeys,
    accounts: resolveAccounts(raw.accounts, duration),
    rules,
    evaluationIntervalMs: duration(['evaluation_interval'], raw.evaluation_interval ?? '15s'),
    notify,
    maintenance: resolveMaintenance(raw.maintenance, timezone, environments, fail),
    ackLinkTtlMs: duration(['ack_link_ttl'], raw.ack_link_ttl ?? '24h'),
    faro: resolveFaro(raw.faro, environments, fail),
  };
}
