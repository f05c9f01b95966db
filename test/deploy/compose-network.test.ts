// docker-compose.yml's addresses and the ClickHouse side: ports agree with
// the configuration on both ends, ClickHouse publishes nothing, Grafana's
// read-only user can read what the boards query, and the cluster profile is
// the shape DESIGN.md describes (one shard, two replicas, Keeper).
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from './compose-support.ts';
import { doc, envOf, inProfile, isImage, mountsOf, portsOf, servicesWith, type Service } from './compose-model.ts';
import { only, readXml, select } from './xml.ts';

const svc = (name: string): Service => doc.services[name]!;
const url = (text: string | undefined) => new URL(text ?? 'invalid:');
const readYaml = <T>(rel: string) => YAML.parse(fs.readFileSync(path.join(ROOT, rel), 'utf8')) as T;
const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
// The images' own listening ports (their documentation): ClickHouse HTTP 8123 and native 9000,
// Keeper's client port as keeper_config.xml sets it, Grafana 3000, Mailpit SMTP 1025 and UI 8025, node-exporter 9100.
const LISTENS: Record<string, number[]> = { clickhouse: [8123, 9000], grafana: [3000], mailpit: [1025, 8025], 'node-exporter': [9100] };
/** The proxy's own `listen` (deploy/nginx/cluster.conf) and the upstream servers it names. */
const proxyConf = fs.readFileSync(path.join(ROOT, 'deploy/nginx/cluster.conf'), 'utf8').replace(/#.*$/gm, '');
const proxyListen = Number(/^\s*listen\s+(\d+);/m.exec(proxyConf)![1]);
const upstreams = (name: string) => [...proxyConf.matchAll(/upstream (\w+) \{([^}]*)\}/g)].find((m) => m[1] === name)![2]!.match(/server [\w.-]+:\d+[^;]*/g)!.map((line) => line.slice('server '.length));
const CLUSTER_MIMAMORI = ['mimamori-primary', 'mimamori-replica-1', 'mimamori-replica-2'];
const listensOn = (host: string, port: number) => {
  const s = svc(host);
  if (!s) return false;
  if (host === 'mimamori-proxy') return port === proxyListen;
  if (s.image?.startsWith('mimamori:')) return Number(envOf(s).PORT) === port;
  if (s.image?.startsWith('clickhouse/clickhouse-server')) return LISTENS.clickhouse!.includes(port);
  return (LISTENS[host] ?? []).includes(port);
};

describe('docker-compose.yml: ports', () => {
  it('publishes Mimamori on the port it listens on, the one the image exposes, on loopback only; the cluster only through its proxy', () => {
    const expose = /^EXPOSE\s+(\d+)/m.exec(dockerfile)![1];
    const published = (name: string, listens: number) => {
      const [port, ...more] = portsOf(svc(name));
      expect(more).toEqual([]);
      expect(port!.target, name).toBe(listens);
      return port!.published;
    };
    for (const name of ['mimamori', ...CLUSTER_MIMAMORI]) {
      const env = envOf(svc(name));
      expect(env.HOST, name).toBe('0.0.0.0');
      expect(env.PORT, name).toBe(expose);
    }
    const single = envOf(svc('mimamori'));
    expect(url(single.MIMAMORI_PUBLIC_URL).port, 'links in mails reach the published port').toBe(String(published('mimamori', Number(single.PORT))));
    const proxied = published('mimamori-proxy', proxyListen);
    for (const name of CLUSTER_MIMAMORI) {
      expect(portsOf(svc(name)), `${name} is reached through the proxy`).toEqual([]);
      expect(url(envOf(svc(name)).MIMAMORI_PUBLIC_URL).port, `${name}: links in mails reach the proxy`).toBe(String(proxied));
    }
    for (const [name, s] of Object.entries(doc.services)) for (const p of portsOf(s)) expect(p.hostIp, `${name} publishes on loopback only`).toBe('127.0.0.1');
  });

  it('publishes no ClickHouse port, and reaches ClickHouse as the user, password and database the server is given', () => {
    for (const [name, s] of servicesWith(isImage('clickhouse/'))) {
      expect(s.ports ?? [], name).toEqual([]);
      expect(s.expose ?? [], name).toEqual([]);
      expect(s.network_mode, name).toBeUndefined();
    }
    for (const name of ['mimamori', ...CLUSTER_MIMAMORI]) {
      const target = url(envOf(svc(name)).CLICKHOUSE_URL);
      expect(target.protocol).toBe('http:');
      expect(svc(target.hostname)?.image, `${name}: ${target.hostname}`).toMatch(/^clickhouse\/clickhouse-server:/);
      expect(Number(target.port)).toBe(8123);
      const server = envOf(svc(target.hostname));
      expect(target.pathname).toBe(`/${server.CLICKHOUSE_DB}`);
      expect(decodeURIComponent(target.username)).toBe(server.CLICKHOUSE_USER);
      expect(decodeURIComponent(target.password)).toBe(server.CLICKHOUSE_PASSWORD);
      const waits = (svc(name).depends_on ?? {}) as Record<string, { condition: string }>;
      expect(waits[target.hostname]?.condition, `${name} waits for ${target.hostname}`).toBe('service_healthy');
    }
  });

  it('points the agent, k6, the mail URL and Grafana at services that listen where they are told', () => {
    const agent = readYaml<{ server: string; scrape: { url: string }[]; targets: { url: string }[] }>('deploy/agent.yaml');
    const addresses = [agent.server, envOf(svc('k6')).MIMAMORI_URL!, envOf(svc('mimamori')).MIMAMORI_SMTP_URL!, ...agent.scrape.map((s) => s.url), ...agent.targets.map((t) => t.url)];
    for (const text of addresses) {
      const u = url(text);
      expect(listensOn(u.hostname, Number(u.port)), text).toBe(true);
    }
    expect(url(agent.server).hostname).toBe('mimamori');
    const grafana = envOf(svc('grafana'));
    expect(listensOn(grafana.CLICKHOUSE_HOST!, Number(grafana.CLICKHOUSE_PORT)), 'Grafana uses the native protocol').toBe(true);
    expect(grafana.CLICKHOUSE_DATABASE).toBe(envOf(svc(grafana.CLICKHOUSE_HOST!)).CLICKHOUSE_DB);
    const bogus = url('http://mimamori:9090/');
    expect(listensOn(bogus.hostname, Number(bogus.port))).toBe(false);
  });
});

describe('Grafana and its ClickHouse user', () => {
  const provisioning = readYaml<{ datasources: { type: string; jsonData: { username: string } }[] }>('grafana/provisioning/datasources/clickhouse.yaml').datasources[0]!;
  const users = readXml(path.join(ROOT, 'deploy/clickhouse/users.d/grafana.xml'));

  it('installs the data source plugin the provisioning names, pinned by version', () => {
    expect(envOf(svc('grafana')).GF_PLUGINS_PREINSTALL_SYNC).toMatch(new RegExp(`^${provisioning.type}@[0-9]+\\.[0-9]+\\.[0-9]+$`));
  });

  it('defines the read-only user the data source logs in with, its password from the variable Grafana gets too', () => {
    const user = only(users, 'users', provisioning.jsonData.username);
    expect(only(user, 'password').attributes.from_env).toBe('GRAFANA_CLICKHOUSE_PASSWORD');
    expect(envOf(svc('clickhouse')).GRAFANA_CLICKHOUSE_PASSWORD).toBe(envOf(svc('grafana')).GRAFANA_CLICKHOUSE_PASSWORD);
    const profile = only(users, 'profiles', only(user, 'profile').text);
    expect(['1', '2']).toContain(only(profile, 'readonly').text);
    expect(mountsOf(svc('clickhouse')).some((m) => m.source === './deploy/clickhouse/users.d/grafana.xml')).toBe(true);
  });

  it('grants SELECT on exactly the tables the boards query, in Mimamori\'s database', () => {
    const granted = select(users, 'users', provisioning.jsonData.username, 'grants', 'query').map((q) => {
      const m = /^GRANT SELECT ON ([a-z_]+)\.([a-z0-9_]+)$/.exec(q.text);
      expect(m, q.text).not.toBeNull();
      expect(m![1]).toBe(envOf(svc('clickhouse')).CLICKHOUSE_DB);
      return m![2]!;
    });
    const tables = new Set(fs.readdirSync(path.join(ROOT, 'server/storage/migrations')).flatMap((f) => [...fs.readFileSync(path.join(ROOT, 'server/storage/migrations', f), 'utf8').matchAll(/CREATE TABLE IF NOT EXISTS \{\{table:([a-z0-9_]+)\}\}/g)].map((m) => m[1]!)));
    expect(tables.size).toBeGreaterThan(20);
    const queried = new Set<string>();
    for (const file of fs.readdirSync(path.join(ROOT, 'grafana/dashboards')).filter((f) => f.endsWith('.json'))) {
      const board = JSON.parse(fs.readFileSync(path.join(ROOT, 'grafana/dashboards', file), 'utf8')) as { templating?: { list: { name: string; query?: { rawSql?: string } }[] } };
      const variables = new Map((board.templating?.list ?? []).map((v) => [v.name, v.query?.rawSql ?? '']));
      const sql = [...JSON.stringify(board).matchAll(/"rawSql":"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
      for (const text of sql.map((q) => q.replace(/--.*$/gm, ''))) {
        for (const m of text.matchAll(/\b(?:FROM|JOIN)\s+(\$\{(\w+)\}|[A-Za-z_][A-Za-z0-9_]*)/g)) {
          // A table chosen by a variable: the table names its query can answer.
          if (m[2]) for (const t of variables.get(m[2])!.matchAll(/'([a-z0-9_]+)'/g)) if (tables.has(t[1]!)) queried.add(t[1]!);
          if (!m[2]) expect(tables, `${file}: FROM ${m[1]}`).toContain(m[1]!);
          if (!m[2]) queried.add(m[1]!);
        }
      }
    }
    expect([...queried].sort()).toEqual([...new Set(granted)].sort());
  });
});

describe('the cluster profile', () => {
  const cluster = readXml(path.join(ROOT, 'deploy/clickhouse/cluster/cluster.xml'));
  const keeper = readXml(path.join(ROOT, 'deploy/clickhouse/keeper/keeper_config.xml'));
  const inCluster = servicesWith(inProfile('cluster'));
  const replicas = inCluster.filter(([, s]) => isImage('clickhouse/clickhouse-server')(s));
  const keepers = inCluster.filter(([, s]) => isImage('clickhouse/clickhouse-keeper')(s));
  const mimamoris = inCluster.filter(([, s]) => (s.image ?? '').startsWith('mimamori:'));

  it('is two ClickHouse servers, one Keeper, a Mimamori primary and two replicas behind one proxy, apart from the default stack', () => {
    expect([replicas.length, keepers.length, mimamoris.length, inCluster.length]).toEqual([2, 1, 3, 7]);
    expect(mimamoris.map(([name]) => name)).toEqual(CLUSTER_MIMAMORI);
    for (const [name, s] of servicesWith(inProfile(undefined))) for (const dep of Object.keys(s.depends_on ?? {})) expect(svc(dep).profiles, `${name} depends on ${dep}`).toBeUndefined();
  });

  it('defines one cluster of one shard with both servers as replicas, the name Mimamori is given', () => {
    const [clusterDef, ...others] = select(cluster, 'remote_servers').flatMap((r) => r.children);
    expect(others).toEqual([]);
    const env = envOf(mimamoris[0]![1]);
    expect(clusterDef!.name).toBe(env.CLICKHOUSE_CLUSTER);
    const shard = only(clusterDef!, 'shard');
    expect(only(shard, 'internal_replication').text, 'Replicated tables replicate themselves').toBe('true');
    const hosts = select(shard, 'replica').map((r) => {
      const server = envOf(svc(only(r, 'host').text));
      expect(only(r, 'port').text).toBe('9000');
      expect(only(r, 'user').text).toBe(server.CLICKHOUSE_USER);
      expect(server[only(r, 'password').attributes.from_env!]).toBe(server.CLICKHOUSE_PASSWORD);
      return only(r, 'host').text;
    });
    expect(hosts.sort()).toEqual(replicas.map(([n]) => n).sort());
  });

  it('sends reads and telemetry to the replicas (the primary as backup) and changes to the primary, each where it listens', () => {
    const at = (name: string) => `${name}:${envOf(svc(name)).PORT}`;
    expect(upstreams('mimamori_any')).toEqual([`${at('mimamori-replica-1')} max_fails=2 fail_timeout=10s`, `${at('mimamori-replica-2')} max_fails=2 fail_timeout=10s`, `${at('mimamori-primary')} backup`]);
    expect(upstreams('mimamori_primary')).toEqual([at('mimamori-primary')]);
    const waits = Object.keys((svc('mimamori-proxy').depends_on ?? {}) as Record<string, unknown>).sort();
    expect(waits).toEqual([...CLUSTER_MIMAMORI].sort());
  });

  it('gives each replica the macros the Replicated engines use, its own replica name, and Keeper where Keeper listens', () => {
    const dialect = fs.readFileSync(path.join(ROOT, 'server/storage/dialect.ts'), 'utf8');
    const macros = only(cluster, 'macros');
    for (const macro of dialect.match(/\{(shard|replica)\}/g)!.map((m) => m.slice(1, -1))) expect(select(macros, macro), macro).toHaveLength(1);
    const replicaVar = only(macros, 'replica').attributes.from_env!;
    expect(replicas.map(([name, s]) => envOf(s)[replicaVar] === name && s.hostname === name)).toEqual([true, true]);
    for (const [name, s] of replicas) expect(mountsOf(s).map((m) => m.source), name).toContain('./deploy/clickhouse/cluster/cluster.xml');

    const [keeperName, keeperService] = keepers[0]!;
    const node = only(cluster, 'zookeeper', 'node');
    expect(only(node, 'host').text).toBe(keeperName);
    expect(only(node, 'port').text).toBe(only(keeper, 'keeper_server', 'tcp_port').text);
    expect(only(keeper, 'keeper_server', 'raft_configuration', 'server', 'hostname').text).toBe(keeperService.hostname);
    expect(only(keeper, 'keeper_server', 'server_id').text).toBe(only(keeper, 'keeper_server', 'raft_configuration', 'server', 'id').text);
    expect(only(cluster, 'distributed_ddl', 'path').text, 'ON CLUSTER DDL needs a queue').not.toBe('');
  });
});
