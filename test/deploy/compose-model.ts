// docker-compose.yml as the tests read it: parsed with the project's YAML
// package, interpolated as Compose would with a complete .env, and its
// services' environment, mounts and ports in one shape.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ROOT, interpolateDeep, placeholderNames, type Env } from './compose-support.ts';

export interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string } | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: (string | { type: string; source?: string; target: string; read_only?: boolean })[];
  ports?: (string | { host_ip?: string; published?: string | number; target: number })[];
  profiles?: string[];
  command?: string | string[];
  depends_on?: string[] | Record<string, { condition: string }>;
  hostname?: string;
  network_mode?: string;
  expose?: (string | number)[];
  healthcheck?: { disable?: boolean; test?: string | string[] };
}

export interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

export const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
export const composeText = fs.readFileSync(COMPOSE_FILE, 'utf8');
// Compose resolves YAML merge keys (`<<: *anchor`), which the YAML 1.2 core schema leaves as plain keys.
export const raw = YAML.parse(composeText, { merge: true }) as ComposeFile;
export const variables = placeholderNames(composeText);

/** A complete .env: a distinct value of 32 characters (letters, digits, -) for every variable the file uses. */
export const dotEnv: Env = Object.fromEntries(
  [...variables.required, ...variables.optional].map((name) => [name, `${name.toLowerCase().replace(/_/g, '-')}-0123456789abcdef`.slice(-32)]),
);
/** With the optional variables unset, as a fresh .env from deploy/compose.env.example leaves them. */
export const requiredOnly: Env = Object.fromEntries([...variables.required].map((name) => [name, dotEnv[name]]));
export const doc = interpolateDeep(raw, requiredOnly);

export function envOf(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((e) => [e.split('=')[0]!, e.split('=').slice(1).join('=')]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

export interface Mount {
  kind: 'bind' | 'volume';
  source: string;
  target: string;
  readOnly: boolean;
}

export function mountsOf(service: Service): Mount[] {
  return (service.volumes ?? []).map((v) => {
    if (typeof v !== 'string') return { kind: v.type === 'bind' ? 'bind' : 'volume', source: v.source ?? '', target: v.target, readOnly: Boolean(v.read_only) };
    const [source = '', target = '', mode = ''] = v.split(':');
    return { kind: /^[./~]/.test(source) ? 'bind' : 'volume', source, target, readOnly: mode.split(',').includes('ro') };
  });
}

export interface Port {
  hostIp?: string;
  published?: number;
  target: number;
}

export function portsOf(service: Service): Port[] {
  return (service.ports ?? []).map((p) => {
    if (typeof p !== 'string') return { hostIp: p.host_ip, published: p.published === undefined ? undefined : Number(p.published), target: p.target };
    const parts = p.replace(/\/(tcp|udp)$/, '').split(':');
    const target = Number(parts.pop());
    const published = parts.length > 0 ? Number(parts.pop()) : undefined;
    return { hostIp: parts.pop(), published, target };
  });
}

export function commandOf(service: Service): string[] {
  const c = service.command ?? [];
  return typeof c === 'string' ? c.split(/\s+/) : c;
}

export const servicesWith = (predicate: (s: Service, name: string) => boolean) => Object.entries(doc.services).filter(([name, s]) => predicate(s, name));
export const isImage = (prefix: string) => (s: Service) => (s.image ?? '').startsWith(prefix);
export const inProfile = (profile: string | undefined) => (s: Service) => (profile === undefined ? !s.profiles : (s.profiles ?? []).includes(profile));
