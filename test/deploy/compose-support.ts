// Helpers for test/deploy: Compose interpolation, the Compose schema, and
// which environment variables the code (and the k6 scripts) read.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Ajv2019 } from 'ajv/dist/2019.js';
import type { ErrorObject } from 'ajv';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const SCHEMA_FILE = path.join(import.meta.dirname, 'compose-spec', 'compose-spec.json');
export const SCHEMA_SHA256 = '56bab44c85c0ce8affb74474950293f37d510673283a243bcd7eeadb900fa35c';

export type Env = Record<string, string | undefined>;

// ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, ${VAR:+alt}, ${VAR+alt}, $VAR, $$
// as the Compose specification's "Interpolation" section defines them (defaults themselves are not re-interpolated here).
const PLACEHOLDER = /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^}])*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** One string as Compose interpolates it; a missing required variable throws with its message. */
export function interpolate(text: string, env: Env): string {
  return text.replace(PLACEHOLDER, (_all, dollar: string | undefined, braced: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
    if (dollar) return '$';
    const name = (braced ?? bare)!;
    const value = env[name];
    const unsetOrEmpty = value === undefined || value === '';
    switch (op) {
      case ':-': return unsetOrEmpty ? arg! : value;
      case '-': return value === undefined ? arg! : value;
      case ':?': if (unsetOrEmpty) throw new Error(`required variable ${name} is missing a value: ${arg}`); return value;
      case '?': if (value === undefined) throw new Error(`required variable ${name} is missing a value: ${arg}`); return value;
      case ':+': return unsetOrEmpty ? '' : arg!;
      case '+': return value === undefined ? '' : arg!;
      default: return value ?? '';
    }
  });
}

/** Every string in a parsed YAML document interpolated (keys stay as written, as Compose does). */
export function interpolateDeep<T>(node: T, env: Env): T {
  if (typeof node === 'string') return interpolate(node, env) as T;
  if (Array.isArray(node)) return node.map((item) => interpolateDeep(item, env)) as T;
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateDeep(v, env)])) as T;
  return node;
}

/** Variable names used in ${…} placeholders of the text, split into required (:? / ?) and the others. */
export function placeholderNames(text: string): { required: Set<string>; optional: Set<string> } {
  const required = new Set<string>();
  const optional = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) {
    const name = m[2] ?? m[5];
    if (!name) continue;
    if (m[3] === ':?' || m[3] === '?') required.add(name);
    else optional.add(name);
  }
  for (const name of required) optional.delete(name);
  return { required, optional };
}

/**
 * A validator for the vendored Compose schema (test/deploy/compose-spec/SOURCE.md).
 * Two adaptations, neither changing what it accepts: the schema's draft-04
 * style `id` annotations (fragment ids like "#/properties/services", which
 * change no reference's resolution) are dropped because Ajv 8 refuses that
 * keyword, and its `$schema` is given the URI Ajv registers draft 2019-09
 * under. The four custom formats get checks after compose-go's.
 */
export function composeSchemaValidator(): (doc: unknown) => ErrorObject[] {
  const text = fs.readFileSync(SCHEMA_FILE, 'utf8');
  const digest = createHash('sha256').update(text).digest('hex');
  if (digest !== SCHEMA_SHA256) throw new Error(`${SCHEMA_FILE} changed (sha256 ${digest}); see SOURCE.md`);
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).filter(([k, v]) => !(k === 'id' && typeof v === 'string')).map(([k, v]) => [k, strip(v)]));
    return node;
  };
  const schema = strip(JSON.parse(text)) as Record<string, unknown>;
  schema.$schema = 'https://json-schema.org/draft/2019-09/schema';
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat('duration', /^-?([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('expose', /^[0-9]+(-[0-9]+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('ports', /^((\[[0-9a-fA-F:.]+\]|[0-9.]+):)?([0-9]+(-[0-9]+)?:)?[0-9]+(-[0-9]+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^([0-9.]+|[0-9a-fA-F:]+)\/[0-9]{1,3}$/);
  const validate = ajv.compile(schema);
  return (doc) => (validate(doc) ? [] : [...(validate.errors ?? [])]);
}

function sourceFiles(dir: string, keep: (file: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...sourceFiles(full, keep));
    } else if (keep(full)) out.push(full);
  }
  return out;
}

const isRuntimeSource = (file: string) => /\.(ts|js|mjs)$/.test(file) && !/\.test\.ts$/.test(file);

function collect(files: string[], patterns: RegExp[]): Set<string> {
  const names = new Set<string>();
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const pattern of patterns) for (const m of text.matchAll(pattern)) names.add(m[1]!);
  }
  return names;
}

/**
 * Environment variables the server, the agent and the CLI read: `env.NAME`,
 * `process.env.NAME`, `env['NAME']`, and the defaults of configurable names
 * (`url_env ?? 'MIMAMORI_SMTP_URL'`, `token_env ?? 'MIMAMORI_TOKEN'`), in the
 * runtime sources (tests excluded) of server/, lib/, collectors/ and bin/.
 */
export function envReadByCode(): Set<string> {
  const files = ['server', 'lib', 'collectors', 'bin'].flatMap((d) => sourceFiles(path.join(ROOT, d), isRuntimeSource));
  return collect(files, [/\benv\??\.([A-Z][A-Z0-9_]*)\b/g, /\benv\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g, /(?:_env|Env)\s*\?\?\s*'([A-Z][A-Z0-9_]*)'/g]);
}

/** Variables the k6 scripts read from __ENV (directly, through env.ts's helpers, or summary.ts's `env` parameter). */
export function envReadByK6Scripts(): Set<string> {
  const files = sourceFiles(path.join(ROOT, 'loadtests'), (f) => path.dirname(f) === path.join(ROOT, 'loadtests') && isRuntimeSource(f));
  return collect(files, [/__ENV\.([A-Z][A-Z0-9_]*)\b/g, /\benv\.([A-Z][A-Z0-9_]*)\b/g, /(?:requiredEnv|positiveInt|durationEnv)\(\s*'([A-Z][A-Z0-9_]*)'/g]);
}

/** The variable names a Mimamori or agent YAML file points at (secret_env, url_env, token_env), anywhere in it. */
export function envNamedInYaml(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) envNamedInYaml(item, found);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (/^(secret|url|token)_env$/.test(key) && typeof value === 'string') found.add(value);
      else envNamedInYaml(value, found);
    }
  }
  return found;
}
