import fs from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml';
import { Compile } from 'typebox/compile';
import { ConfigFileSchema, type ConfigFile } from './schema.ts';
import { parseDurationMs, parseSizeBytes } from './units.ts';

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
  };
  ingestTokens: { name: string; secret: string }[];
}

/** A configuration problem, located in the file so the operator can fix it. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${reason}`);
    this.name = 'ConfigError';
  }
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
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) throw new ConfigError(file, syntax.linePos?.[0].line, syntax.message.split('\n')[0]!);
  const data: unknown = doc.toJS() ?? {};
  const lineOf = (pathParts: (string | number)[]) => lineOfPath(doc, lineCounter, pathParts);
  if (!checkFile.Check(data)) {
    const errors = [...checkFile.Errors(data)];
    const toParts = (p: string) => p.split('/').slice(1).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
    // An unknown key shows up as "schema is false" at the key's own path.
    const unknown = errors.find((e) => e.keyword === 'boolean' && e.schemaPath.endsWith('/additionalProperties'));
    if (unknown) {
      const where = toParts(unknown.instancePath);
      throw new ConfigError(file, lineOf(where), `${where.join('.')}: unknown key "${where[where.length - 1]}"`);
    }
    const first = errors.sort((a, b) => b.instancePath.length - a.instancePath.length)[0]!;
    const missing = (first.params as { requiredProperties?: string[] }).requiredProperties?.[0];
    const where = [...toParts(first.instancePath), ...(missing ? [missing] : [])];
    throw new ConfigError(file, lineOf(where), `${where.join('.') || '(top level)'}: ${missing ? 'required key is missing' : first.message}`);
  }
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
  return {
    source,
    timezone,
    environments: raw.environments ?? ['production', 'staging', 'integration'],
    retention: { logsDays: days('logs', '90d'), metricsDays: days('metrics', '400d'), probesDays: days('probes', '400d'), rollupsDays: days('rollups', '800d') },
    ingest: {
      maxBodyBytes: parseSizeBytes(ingest.max_body_bytes ?? '32MiB'),
      maxLineBytes: parseSizeBytes(ingest.max_line_bytes ?? '64KiB'),
      maxRows: ingest.max_rows ?? 50_000,
      flushIntervalMs: parseDurationMs(ingest.flush_interval ?? '200ms'),
      flushRows: ingest.flush_rows ?? 200_000,
      maxPendingBytes: parseSizeBytes(ingest.max_pending_bytes ?? '1GiB'),
    },
    ingestTokens,
  };
}

/** 1-based line of the deepest YAML node along the path (for a map entry, the line of its key). */
function lineOfPath(doc: Document, counter: LineCounter, parts: (string | number)[]): number | undefined {
  for (let n = parts.length; n >= 0; n--) {
    const parent = n === 0 ? undefined : n === 1 ? doc.contents : doc.getIn(parts.slice(0, n - 1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === parts[n - 1]);
      if (pair && isNode(pair.key) && pair.key.range) return counter.linePos(pair.key.range[0]).line;
    }
    const node = n === 0 ? doc.contents : doc.getIn(parts.slice(0, n), true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}
