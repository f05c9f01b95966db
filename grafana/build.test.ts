// The committed dashboards are what build.ts writes from the boards: a board
// changed without rebuilding (or a JSON file edited by hand) fails here.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { DATASOURCE } from './boards/kit.ts';
import { parseConfigText } from '../server/config/load.ts';
import { agreedThreshold } from '../server/reports/capacity.ts';
import { DASHBOARDS_DIR, renderDashboards } from './build.ts';

describe('grafana/dashboards', () => {
  const files = renderDashboards();

  it('holds exactly one file per board', () => {
    expect(fs.readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json')).sort()).toEqual([...files.keys()].sort());
  });

  it.each([...files])('%s is what build.ts writes (npx tsx grafana/build.ts)', (name, text) => {
    expect(fs.readFileSync(path.join(DASHBOARDS_DIR, name), 'utf8')).toBe(text);
  });

  it('points every panel and variable at the provisioned data source', () => {
    for (const text of files.values()) {
      const board = JSON.parse(text) as { panels: { datasource: unknown; targets: { datasource: unknown }[] }[]; templating: { list: { type: string; datasource?: unknown }[] } };
      const refs = [...board.panels.flatMap((p) => [p.datasource, ...p.targets.map((t) => t.datasource)]), ...board.templating.list.filter((v) => v.type === 'query').map((v) => v.datasource)];
      for (const ref of refs) expect(ref).toEqual(DATASOURCE);
    }
  });
});

describe('the boards\' defaults', () => {
  const variable = (file: string, name: string) => {
    const board = JSON.parse(fs.readFileSync(path.join(DASHBOARDS_DIR, file), 'utf8')) as { templating: { list: { name: string; type: string; current: { value: string } }[] } };
    return board.templating.list.find((v) => v.name === name)!;
  };
  const server = parseConfigText('{}', 'built-in defaults', {});

  it('start at the server\'s: the objective of slo.objective_percent and the threshold a host has without a capacity: section', () => {
    const objective = variable('mimamori-slo.json', 'slo_objective');
    expect(objective.type).toBe('textbox');
    expect(Number(objective.current.value)).toBe(server.sloObjectivePercent);
    expect(objective.current.value).toBe('99');
    const threshold = variable('mimamori-capacity.json', 'cpu_threshold');
    expect(threshold.type).toBe('textbox');
    expect(Number(threshold.current.value)).toBe(agreedThreshold(server.capacity, server.rules, 'production', 'any-host').percent);
    expect(threshold.current.value).toBe('80');
    expect(variable('mimamori-capacity.json', 'tz').current.value).toBe(server.timezone);
  });
});

describe('grafana/provisioning', () => {
  const read = (file: string) => YAML.parse(fs.readFileSync(path.join(DASHBOARDS_DIR, '..', 'provisioning', file), 'utf8'));

  it('provisions the data source the boards name, with settings the plugin reads (pkg/plugin/settings.go)', () => {
    const [source, ...others] = read('datasources/clickhouse.yaml').datasources;
    expect(others).toEqual([]);
    expect({ type: source.type, uid: source.uid }).toEqual(DATASOURCE);
    expect(source.jsonData).toMatchObject({ host: '$CLICKHOUSE_HOST', port: '$CLICKHOUSE_PORT', protocol: 'native', username: 'grafana_ro' });
    const readByPlugin = ['host', 'port', 'protocol', 'secure', 'username', 'defaultDatabase', 'dialTimeout', 'queryTimeout'];
    expect(readByPlugin).toEqual(expect.arrayContaining(Object.keys(source.jsonData)));
    expect(source.secureJsonData).toEqual({ password: '$GRAFANA_CLICKHOUSE_PASSWORD' });
  });

  it('loads the built dashboards into the Mimamori folder', () => {
    expect(read('dashboards/mimamori.yaml').providers).toMatchObject([{ type: 'file', folder: 'Mimamori', options: { path: '/var/lib/grafana/dashboards' } }]);
  });
});
