// docker-compose.yml against the Compose specification's JSON schema, and
// against the code: mounted paths exist and are where the containers read
// them, every environment variable is one its reader reads, ports agree
// with the configuration, images are pinned. Docker cannot run here
// (docs/DEPLOYMENT.md), so nothing is started.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, composeSchemaValidator, envNamedInYaml, envReadByCode, envReadByK6Scripts, interpolateDeep } from './compose-support.ts';
import { commandOf, doc, dotEnv, envOf, isImage, mountsOf, raw, servicesWith, variables, type Service } from './compose-model.ts';
import { fromEnvNames, readXml } from './xml.ts';
import { parseConfigText } from '../../server/config/load.ts';
import { loadAgentConfig } from '../../collectors/config.ts';

const svc = (name: string): Service => {
  const s = doc.services[name];
  if (!s) throw new Error(`no service ${name}`);
  return s;
};
const mountAt = (s: Service, target: string) => mountsOf(s).find((m) => m.target === target);
/** The cluster profile's Mimamori instances: one primary, two replicas. */
const CLUSTER_MIMAMORI = ['mimamori-primary', 'mimamori-replica-1', 'mimamori-replica-2'];
const readYaml = (rel: string) => YAML.parse(fs.readFileSync(path.join(ROOT, rel), 'utf8')) as unknown;
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
const versionOf = (name: string) => (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
const tagOf = (image: string) => image.slice(image.lastIndexOf(':') + 1);
const numbers = (v: string) => v.replace(/^v/, '').split('.').map(Number);
const atLeast = (a: string, b: string) => {
  const [x, y] = [numbers(a), numbers(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return true;
};

describe('docker-compose.yml: the Compose specification', () => {
  const validate = composeSchemaValidator();

  it('validates against the JSON schema, as written and as interpolated', () => {
    expect(validate(raw)).toEqual([]);
    expect(validate(doc)).toEqual([]);
    expect(validate(interpolateDeep(raw, dotEnv))).toEqual([]);
  });

  it('the schema check bites: an unknown key, a bad duration or a bad port is refused', () => {
    const mutated = structuredClone(doc) as unknown as { services: Record<string, Record<string, unknown>> };
    mutated.services.mimamori!.environmnet = {};
    (mutated.services.clickhouse!.healthcheck as Record<string, unknown>).interval = '10 seconds';
    mutated.services.grafana!.ports = ['127.0.0.1:3000:http'];
    const errors = validate(mutated).map((e) => `${e.instancePath} ${e.message}`);
    expect(errors.some((e) => e.includes('/services/mimamori') && e.includes('additional properties'))).toBe(true);
    expect(errors.some((e) => e.includes('/healthcheck/interval'))).toBe(true);
    expect(errors.some((e) => e.includes('/services/grafana/ports'))).toBe(true);
  });

  it('refuses to start without each secret, and deploy/compose.env.example names exactly the variables it uses', () => {
    expect([...variables.required].sort()).toEqual(['CLICKHOUSE_PASSWORD', 'GRAFANA_ADMIN_PASSWORD', 'GRAFANA_CLICKHOUSE_PASSWORD', 'MIMAMORI_INGEST_TOKEN', 'MIMAMORI_KEY_LOADTEST', 'MIMAMORI_TOKEN_AGENT']);
    for (const name of variables.required) {
      const without = { ...dotEnv, [name]: undefined };
      expect(() => interpolateDeep(raw, without), name).toThrow(name);
    }
    const example = fs.readFileSync(path.join(ROOT, 'deploy', 'compose.env.example'), 'utf8');
    const set = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    const commented = [...example.matchAll(/^#\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    expect(set.sort()).toEqual([...variables.required].sort());
    expect(commented.sort()).toEqual([...variables.optional].sort());
  });
});

// Debian's docker-compose 1.29 reads and interpolates the file without a
// daemon; the global setup installs it with apt-get when it is missing.
const dockerCompose = execFileSync('docker-compose', ['version', '--short'], { encoding: 'utf8' }).trim();

describe(`docker-compose.yml: docker-compose ${dockerCompose}`, () => {
  // An empty env file, so that a developer's own .env never fills in what the test leaves out.
  let noDotEnv = '';
  beforeAll(() => {
    noDotEnv = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mimamori-compose-')), 'empty.env');
    fs.writeFileSync(noDotEnv, '');
  });
  afterAll(() => {
    if (noDotEnv) fs.rmSync(path.dirname(noDotEnv), { recursive: true, force: true });
  });
  const config = (env: Record<string, string | undefined>, ...args: string[]) =>
    execFileSync('docker-compose', ['--project-directory', ROOT, '--env-file', noDotEnv, '-f', path.join(ROOT, 'docker-compose.yml'), ...args, 'config'], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  it('accepts the file with every profile, and resolves it as the tests read it', () => {
    const resolved = YAML.parse(config(dotEnv, '--profile', 'cluster', '--profile', 'loadtest')) as { services: Record<string, Service> };
    expect(Object.keys(resolved.services).sort()).toEqual(Object.keys(doc.services).sort());
    for (const name of Object.keys(doc.services)) expect(envOf(resolved.services[name]!), name).toEqual(envOf(interpolateDeep(raw, dotEnv).services[name]!));
  });

  it('refuses it without a required secret', () => {
    const { CLICKHOUSE_PASSWORD: _left, ...without } = dotEnv;
    expect(() => config(without)).toThrow(/CLICKHOUSE_PASSWORD/);
  });
});

describe('docker-compose.yml: images', () => {
  it('pins every image by version, and builds Mimamori as its package version', () => {
    for (const [name, s] of Object.entries(doc.services)) expect(s.image, name).toMatch(/^[a-z0-9./-]+:v?[0-9]+\.[0-9]+\.[0-9]+(\.[0-9]+)?$/);
    const built = servicesWith((s) => s.build !== undefined);
    expect(built.map(([n]) => n).sort()).toEqual(['agent', 'mimamori', ...CLUSTER_MIMAMORI]);
    for (const [name, s] of built) {
      expect(s.image, name).toBe(`mimamori:${pkg.version}`);
      expect(s.build, name).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    }
  });

  it('runs the Grafana the boards are typed against, the k6 the scripts are typed against, and a ClickHouse no older than the embedded engine', () => {
    expect(tagOf(svc('grafana').image!)).toBe(versionOf('@grafana/schema'));
    expect(numbers(tagOf(svc('k6').image!)).slice(0, 2)).toEqual(numbers(versionOf('@types/k6')).slice(0, 2));
    const clickhouse = servicesWith(isImage('clickhouse/')).map(([, s]) => tagOf(s.image!));
    expect(new Set(clickhouse).size, 'servers and Keeper on one version').toBe(1);
    const engine = execFileSync(process.execPath, ['-e', "process.stdout.write(require('chdb').query('SELECT version()', 'TSV'))"], { cwd: ROOT, encoding: 'utf8' }).trim();
    expect(engine).toMatch(/^[0-9]+\.[0-9]+/);
    expect(atLeast(clickhouse[0]!, engine), `ClickHouse ${clickhouse[0]} vs chDB's engine ${engine}`).toBe(true);
  });
});

describe('docker-compose.yml: mounts', () => {
  it('binds only paths that exist, read-only, and declares every named volume it uses', () => {
    const used = new Set<string>();
    for (const [name, s] of Object.entries(doc.services)) {
      for (const m of mountsOf(s)) {
        if (m.kind === 'volume') {
          used.add(m.source);
          continue;
        }
        expect(m.readOnly, `${name}: ${m.source}`).toBe(true);
        if (m.source.startsWith('/')) expect([name, m.source], 'host paths: node-exporter reads the host root').toEqual(['node-exporter', '/']);
        else expect(fs.existsSync(path.join(ROOT, m.source)), `${name}: ${m.source}`).toBe(true);
        if (/\.(xml|ya?ml)$/.test(m.target)) expect(fs.statSync(path.join(ROOT, m.source)).isFile(), m.source).toBe(true);
      }
    }
    expect([...used].sort()).toEqual(Object.keys(doc.volumes ?? {}).sort());
  });

  it('mounts each configuration file where its reader looks for it, each instance with its own data and write-ahead log', () => {
    const volumes = new Set<string>();
    for (const name of ['mimamori', ...CLUSTER_MIMAMORI]) {
      const s = svc(name);
      const env = envOf(s);
      expect(mountAt(s, env.MIMAMORI_CONFIG!)?.source, name).toBe('./deploy/mimamori.yaml');
      expect(mountAt(s, env.MIMAMORI_DATA!)?.kind, `${name}: data volume`).toBe('volume');
      const wal = mountAt(s, `${env.MIMAMORI_DATA}/wal`);
      expect(wal?.kind, `${name}: the write-ahead log on its own volume`).toBe('volume');
      expect(wal?.source).not.toBe(mountAt(s, env.MIMAMORI_DATA!)?.source);
      for (const v of [wal!.source, mountAt(s, env.MIMAMORI_DATA!)!.source]) {
        expect(volumes.has(v), `${name}: ${v} is no other instance's`).toBe(false);
        volumes.add(v);
      }
    }
    expect(mountAt(svc('mimamori-proxy'), '/etc/nginx/conf.d/default.conf')?.source).toBe('./deploy/nginx/cluster.conf');
    const agent = commandOf(svc('agent'));
    expect(agent.slice(0, 2)).toEqual(['agent', '--config']);
    expect(mountAt(svc('agent'), agent[2]!)?.source).toBe('./deploy/agent.yaml');
    const spool = (readYaml('deploy/agent.yaml') as { spool: { dir: string } }).spool.dir;
    expect(mountsOf(svc('agent')).some((m) => m.kind === 'volume' && spool.startsWith(`${m.target}/`)), 'the spool on a volume').toBe(true);

    const grafana = svc('grafana');
    expect(mountAt(grafana, '/etc/grafana/provisioning')?.source).toBe('./grafana/provisioning');
    const provider = readYaml('grafana/provisioning/dashboards/mimamori.yaml') as { providers: { options: { path: string } }[] };
    expect(mountAt(grafana, provider.providers[0]!.options.path)?.source, 'the boards where the provider loads them').toBe('./grafana/dashboards');

    for (const [name, s] of servicesWith(isImage('clickhouse/clickhouse-server'))) {
      expect(mountAt(s, '/var/lib/clickhouse')?.kind, name).toBe('volume');
      for (const m of mountsOf(s).filter((x) => x.kind === 'bind')) expect(m.target, name).toMatch(/^\/etc\/clickhouse-server\/(config|users)\.d\/[^/]+\.xml$/);
    }
    expect(mountAt(svc('clickhouse-keeper'), '/etc/clickhouse-keeper/keeper_config.xml')?.source).toBe('./deploy/clickhouse/keeper/keeper_config.xml');
    const k6 = commandOf(svc('k6'));
    const scripts = mountsOf(svc('k6')).find((m) => m.source === './loadtests')!;
    expect(k6[0]).toBe('run');
    expect(fs.existsSync(path.join(ROOT, 'loadtests', path.posix.relative(scripts.target, k6[1]!)))).toBe(true);
  });
});

/** Names a service sets that none of its readers reads. */
function unread(service: Service, read: Set<string>): string[] {
  return Object.keys(envOf(service)).filter((name) => !read.has(name));
}

describe('docker-compose.yml: environment', () => {
  const code = envReadByCode();
  const mimamoriYaml = envNamedInYaml(readYaml('deploy/mimamori.yaml'));
  const agentYaml = envNamedInYaml(readYaml('deploy/agent.yaml'));

  it('sets for Mimamori only variables the code or its mounted mimamori.yaml reads, and all that the YAML needs; the cluster runs one primary and replicas, the single-node stack does everything', () => {
    for (const name of ['mimamori', ...CLUSTER_MIMAMORI]) {
      expect(unread(svc(name), new Set([...code, ...mimamoriYaml])), name).toEqual([]);
      for (const needed of mimamoriYaml) expect(envOf(svc(name)), `${name} sets ${needed}`).toHaveProperty([needed]);
    }
    const mutated = structuredClone(svc('mimamori'));
    (mutated.environment as Record<string, string>).MIMAMORI_SHARD = '2';
    expect(unread(mutated, new Set([...code, ...mimamoriYaml])), 'a name no code reads is caught').toEqual(['MIMAMORI_SHARD']);
    expect(envOf(svc('mimamori')).CLICKHOUSE_CLUSTER, 'the single-node stack').toBeUndefined();
    expect(envOf(svc('mimamori')).MIMAMORI_ROLE, 'the single-node stack runs everything (all)').toBeUndefined();
    expect(CLUSTER_MIMAMORI.map((name) => envOf(svc(name)).MIMAMORI_ROLE)).toEqual(['primary', 'replica', 'replica']);
    for (const name of CLUSTER_MIMAMORI) expect(envOf(svc(name)).CLICKHOUSE_CLUSTER, name).toBe('mimamori');
  });

  it('sets for the agent only what the agent reads: its token under the name agent.yaml gives', () => {
    expect(unread(svc('agent'), new Set([...code, ...agentYaml]))).toEqual([]);
    expect(Object.keys(envOf(svc('agent')))).toEqual([...agentYaml]);
  });

  it('sets for k6 only variables the scripts read from __ENV', () => {
    const k6 = envReadByK6Scripts();
    expect(k6).toContain('MIMAMORI_INGEST_TOKEN');
    expect(unread(svc('k6'), k6)).toEqual([]);
  });

  it('gives Grafana the variables its provisioning substitutes, and otherwise only GF_ settings', () => {
    const provisioning = fs.readFileSync(path.join(ROOT, 'grafana/provisioning/datasources/clickhouse.yaml'), 'utf8').replace(/^\s*#.*$/gm, '');
    const substituted = new Set([...provisioning.matchAll(/\$\{?([A-Z][A-Z0-9_]*)\}?/g)].map((m) => m[1]!));
    expect(substituted.size).toBeGreaterThanOrEqual(4);
    const env = envOf(svc('grafana'));
    for (const name of substituted) expect(env, name).toHaveProperty([name]);
    // Grafana reads GF_<SECTION>_<KEY> for any key of grafana.ini; these are the ones used here.
    const known = ['GF_PLUGINS_PREINSTALL_SYNC', 'GF_SECURITY_ADMIN_USER', 'GF_SECURITY_ADMIN_PASSWORD', 'GF_USERS_ALLOW_SIGN_UP', 'GF_ANALYTICS_REPORTING_ENABLED'];
    expect(Object.keys(env).filter((n) => !substituted.has(n) && !known.includes(n))).toEqual([]);
  });

  it('gives each ClickHouse server only the image\'s own variables and those its mounted XML reads (from_env), and all of these', () => {
    for (const [name, s] of servicesWith(isImage('clickhouse/'))) {
      const xml = new Set(mountsOf(s).filter((m) => m.source.endsWith('.xml')).flatMap((m) => [...fromEnvNames(readXml(path.join(ROOT, m.source)))]));
      const image = name === 'clickhouse-keeper' ? [] : ['CLICKHOUSE_DB', 'CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD'];
      expect(unread(s, new Set([...image, ...xml])), name).toEqual([]);
      for (const needed of [...image, ...xml]) expect(envOf(s), `${name} sets ${needed}`).toHaveProperty([needed]);
    }
  });

  it('configures Mimamori and the agent so that their own loaders accept the files', () => {
    const config = parseConfigText(fs.readFileSync(path.join(ROOT, 'deploy/mimamori.yaml'), 'utf8'), 'deploy/mimamori.yaml', envOf(svc('mimamori')));
    expect(config.notify.smtp?.url).toBe(envOf(svc('mimamori')).MIMAMORI_SMTP_URL);
    expect(config.environments).toContain(envOf(svc('k6')).ENVIRONMENT);
    const file = path.join(ROOT, 'deploy/agent.yaml');
    const agent = loadAgentConfig(file, envOf(svc('agent')));
    expect(agent.token).toBe(envOf(svc('mimamori')).MIMAMORI_TOKEN_AGENT);
    expect(config.ingestTokens.map((t) => t.secret)).toContain(agent.token);
  });
});
