import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { ConfigError, parseYaml } from '../lib/yaml-file.ts';
import type { ScrapeConfig } from './cpu/scrape.ts';
import { DURATION_PATTERN, SIZE_PATTERN, parseDurationMs, parseSizeBytes } from '../lib/units.ts';

// agent.yaml: what one agent watches and where it sends it.
const Duration = Type.String({ pattern: DURATION_PATTERN });
export const TargetSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    url: Type.String({ pattern: '^https?://' }),
    environment: Type.Optional(Type.String()),
    method: Type.Optional(Type.String({ pattern: '^[A-Z]+$' })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    body: Type.Optional(Type.String()),
    interval: Type.Optional(Duration),
    timeout: Type.Optional(Duration),
    threshold: Type.Optional(Duration),
    expect: Type.Optional(Type.Object({ status: Type.Optional(Type.Integer()), contains: Type.Optional(Type.String()), regex: Type.Optional(Type.String()) }, { additionalProperties: false })),
    insecure_tls: Type.Optional(Type.Boolean()),
    browser: Type.Optional(Type.Boolean({ description: 'measure in Chromium what a visitor sees (load event, LCP)' })),
  },
  { additionalProperties: false },
);
const LogSource = Type.Object(
  {
    path: Type.String({ minLength: 1, description: 'file or glob (*, ?)' }),
    service: Type.String({ minLength: 1 }),
    environment: Type.Optional(Type.String()),
    format: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('json'), Type.Literal('plain'), Type.Literal('combined')])),
    multiline_start: Type.Optional(Type.String({ description: 'a regex that starts a new event; other lines join the previous one' })),
    rotate_wait: Type.Optional(Type.String({ pattern: DURATION_PATTERN, description: 'how long a file renamed out of path is still followed after its last write (default 5s)' })),
  },
  { additionalProperties: false },
);
export const AgentFileSchema = Type.Object(
  {
    server: Type.String({ pattern: '^https?://' }),
    token_env: Type.Optional(Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$' })),
    environment: Type.String({ minLength: 1 }),
    host: Type.Optional(Type.String({ minLength: 1 })),
    spool: Type.Optional(Type.Object({ dir: Type.Optional(Type.String()), max_bytes: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: SIZE_PATTERN })])) }, { additionalProperties: false })),
    cpu: Type.Optional(Type.Union([Type.Boolean(), Type.Object({ interval: Type.Optional(Duration) }, { additionalProperties: false })])),
    scrape: Type.Optional(Type.Array(Type.Object({ url: Type.String({ pattern: '^https?://' }), host: Type.Optional(Type.String()), interval: Type.Optional(Duration), timeout: Type.Optional(Duration) }, { additionalProperties: false }))),
    targets: Type.Optional(Type.Array(TargetSchema)),
    logs: Type.Optional(Type.Array(LogSource)),
  },
  { additionalProperties: false },
);
type AgentFile = Static<typeof AgentFileSchema>;

export interface TargetConfig {
  name: string;
  url: string;
  environment: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  intervalMs: number;
  timeoutMs: number;
  thresholdMs: number;
  expect: { status?: number; contains?: string; regex?: RegExp };
  insecureTls: boolean;
  /** Load the page in Chromium instead of a bare HTTP request. */
  browser?: boolean;
}

export interface LogSourceConfig {
  path: string;
  service: string;
  environment: string;
  format: 'auto' | 'json' | 'plain' | 'combined';
  multilineStart?: RegExp;
  /** A file renamed out of `path` is followed until it has been quiet this long (default DEFAULT_ROTATE_WAIT_MS, 5 s). */
  rotateWaitMs?: number;
}

export interface AgentConfig {
  server: string;
  token: string;
  environment: string;
  host: string;
  spoolDir: string;
  spoolMaxBytes: number;
  cpuIntervalMs: number | undefined;
  scrape: ScrapeConfig[];
  targets: TargetConfig[];
  logs: LogSourceConfig[];
}

const checker = Compile(AgentFileSchema);

export function loadAgentConfig(file: string, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  if (!fs.existsSync(file)) throw new ConfigError(file, undefined, 'file not found');
  const { data, lineOf } = parseYaml(fs.readFileSync(file, 'utf8'), file, checker);
  const raw = data as AgentFile;
  const tokenVar = raw.token_env ?? 'MIMAMORI_TOKEN';
  const token = env[tokenVar];
  if (!token) throw new ConfigError(file, lineOf(['token_env']), `the ingest token is read from ${tokenVar}, which is not set`);
  return resolveAgentConfig(raw, token, path.dirname(path.resolve(file)), (p, reason) => new ConfigError(file, lineOf(p), `${p.join('.')}: ${reason}`));
}

type Fail = (p: (string | number)[], reason: string) => Error;

function compileRegex(text: string | undefined, where: (string | number)[], fail: Fail): RegExp | undefined {
  if (text === undefined) return undefined;
  try {
    return new RegExp(text);
  } catch (error) {
    throw fail(where, `not a valid regular expression: ${(error as Error).message}`);
  }
}

/** Synthetic probe targets, from agent.yaml or from mimamori.yaml (the in-process agent). */
export function resolveTargets(targets: Static<typeof TargetSchema>[] | undefined, environment: string, fail: Fail): TargetConfig[] {
  return (targets ?? []).map((t, i) => ({
    name: t.name,
    url: t.url,
    environment: t.environment ?? environment,
    method: t.method ?? 'GET',
    headers: t.headers ?? {},
    body: t.body,
    intervalMs: parseDurationMs(t.interval ?? '30s'),
    timeoutMs: parseDurationMs(t.timeout ?? '10s'),
    thresholdMs: parseDurationMs(t.threshold ?? '5s'),
    expect: { status: t.expect?.status, contains: t.expect?.contains, regex: compileRegex(t.expect?.regex, ['targets', i, 'expect', 'regex'], fail) },
    insecureTls: t.insecure_tls ?? false,
    browser: t.browser ?? false,
  }));
}

export function resolveAgentConfig(raw: AgentFile, token: string, baseDir: string, fail: Fail): AgentConfig {
  const regex = (text: string | undefined, where: (string | number)[]) => compileRegex(text, where, fail);
  const cpu = raw.cpu === undefined || raw.cpu === true ? {} : raw.cpu === false ? undefined : raw.cpu;
  return {
    server: raw.server.replace(/\/$/, ''),
    token,
    environment: raw.environment,
    host: raw.host ?? os.hostname(),
    spoolDir: path.resolve(baseDir, raw.spool?.dir ?? 'agent-spool'),
    spoolMaxBytes: parseSizeBytes(raw.spool?.max_bytes ?? '1GiB'),
    cpuIntervalMs: cpu ? parseDurationMs(cpu.interval ?? '15s') : undefined,
    scrape: (raw.scrape ?? []).map((s) => ({ url: s.url, host: s.host ?? new URL(s.url).hostname, intervalMs: parseDurationMs(s.interval ?? '15s'), timeoutMs: parseDurationMs(s.timeout ?? '10s') })),
    targets: resolveTargets(raw.targets, raw.environment, fail),
    logs: (raw.logs ?? []).map((l, i) => ({
      path: path.resolve(baseDir, l.path),
      service: l.service,
      environment: l.environment ?? raw.environment,
      format: l.format ?? 'auto',
      multilineStart: regex(l.multiline_start, ['logs', i, 'multiline_start']),
      rotateWaitMs: l.rotate_wait === undefined ? undefined : parseDurationMs(l.rotate_wait),
    })),
  };
}
