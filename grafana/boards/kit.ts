// The pieces every Mimamori board is built from. Typed with @grafana/schema,
// so a misspelt field or a wrong enum value fails `tsc`; queries use the
// ClickHouse plugin's v4 SQL model (grafana/clickhouse-datasource
// src/types/sql.ts CHSqlQuery). Layout is a simple flow: panels fill 24
// columns left to right, then wrap.
import type { Dashboard, DataQuery, DataSourceRef, FieldConfig, FieldConfigSource, GraphFieldConfig, Panel, ThresholdsConfig, VariableModel } from '@grafana/schema';
import {
  BigValueColorMode, BigValueGraphMode, BigValueJustifyMode, BigValueTextMode, DashboardCursorSync, GraphDrawStyle, GraphThresholdsStyleMode,
  PercentChangeColorMode, SortOrder, ThresholdsMode, TooltipDisplayMode, VariableHide, VariableRefresh, VariableSort, VizOrientation, defaultDashboard,
} from '@grafana/schema';
import type { Options as StatOptions } from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type { Options as TableOptions } from '@grafana/schema/dist/esm/raw/composable/table/panelcfg/x/TablePanelCfg_types.gen';
import { DEFAULT_TIME_ZONE } from './server-defaults.ts';
import type { Options as TimeSeriesOptions } from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';

/** The provisioned data source (provisioning/datasources/clickhouse.yaml). */
export const DATASOURCE: DataSourceRef = { type: 'grafana-clickhouse-datasource', uid: 'mimamori-clickhouse' };

/**
 * Any version from 4.0.0 marks a query as the v4 model; the plugin migrates
 * one without it (or with queryType 'sql') as a v3 query (src/data/migration.ts isV3CHQuery).
 */
const PLUGIN_VERSION = '4.0.0';

/** sqlds FormatQueryOption: 0 time series (long frames widened per label column), 1 table. */
export const FORMAT = { timeSeries: 0, table: 1 } as const;

/** One SQL query of the ClickHouse plugin (v4, SQL editor). */
export type ChSqlTarget = Pick<DataQuery, 'refId'> & {
  datasource: DataSourceRef;
  pluginVersion: string;
  editorType: 'sql';
  queryType: 'timeseries' | 'table';
  format: (typeof FORMAT)[keyof typeof FORMAT];
  rawSql: string;
};

/** A panel whose queries are ClickHouse SQL (what the tests expand and run). */
export type SqlPanel = Omit<Panel, 'type' | 'title' | 'targets'> & { type: 'timeseries' | 'stat' | 'table'; title: string; targets: ChSqlTarget[] };

/** `${name:singlequote}`: Grafana quotes each selected value ('a','b'), a ' inside as \'. */
export const quoted = (variable: string) => '${' + variable + ':singlequote}';

/** The plugin's $__conditionalAll: `column IN (...)`, or 1=1 when All (or nothing) is selected. */
export const inSelection = (column: string, variable: string) => `$__conditionalAll(${column} IN (${quoted(variable)}), $${variable})`;

/** A quantile of an empty t-digest is nan; a panel shows a gap for NULL, not a point at nan. */
export const orNull = (expr: string) => `if(isNaN(${expr}), NULL, ${expr})`;

interface PanelSpec {
  title: string;
  description: string;
  width: number;
  height: number;
  /** Lower bound of $__interval, e.g. '1h' for panels on an hourly rollup. */
  minInterval?: string;
  /** Panel's own range, e.g. '90d' whatever the dashboard's. */
  timeFrom?: string;
}

function target(refId: string, rawSql: string, kind: 'timeseries' | 'table'): ChSqlTarget {
  const format = kind === 'timeseries' ? FORMAT.timeSeries : FORMAT.table;
  return { refId, datasource: DATASOURCE, pluginVersion: PLUGIN_VERSION, editorType: 'sql', queryType: kind, format, rawSql: rawSql.trim() };
}

function panelBase(spec: PanelSpec): Pick<SqlPanel, 'title' | 'description' | 'datasource' | 'gridPos' | 'interval' | 'timeFrom'> {
  return {
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    gridPos: { x: 0, y: 0, w: spec.width, h: spec.height },
    ...(spec.minInterval ? { interval: spec.minInterval } : {}),
    ...(spec.timeFrom ? { timeFrom: spec.timeFrom } : {}),
  };
}

/** Colours by value: each step's colour from its value up. */
export const thresholds = (steps: ThresholdsConfig['steps']): ThresholdsConfig => ({ mode: ThresholdsMode.Absolute, steps });

/** Green up to the value, red from it (a line on a time series). */
export const redFrom = (value: number, valueExpr?: string) =>
  thresholds([{ color: 'green', value: null }, { color: 'red', value, ...(valueExpr ? { valueExpr } : {}) }]);

export function timeSeriesPanel(spec: PanelSpec & {
  sql: string;
  unit: string;
  /** Drawn as a dashed line across the graph. */
  thresholdLine?: ThresholdsConfig;
  bars?: boolean;
  /** e.g. '${__field.labels.target} ${__field.name}' for long frames widened per target. */
  displayName?: string;
}): SqlPanel {
  const custom: GraphFieldConfig = {
    drawStyle: spec.bars ? GraphDrawStyle.Bars : GraphDrawStyle.Line,
    lineWidth: 1,
    fillOpacity: spec.bars ? 80 : 0,
    spanNulls: false,
    thresholdsStyle: { mode: spec.thresholdLine ? GraphThresholdsStyleMode.Dashed : GraphThresholdsStyleMode.Off },
  };
  const fieldConfig: FieldConfigSource = {
    defaults: { unit: spec.unit, custom: { ...custom }, ...(spec.displayName ? { displayName: spec.displayName } : {}), ...(spec.thresholdLine ? { thresholds: spec.thresholdLine } : {}) },
    overrides: [],
  };
  const options: TimeSeriesOptions = {
    legend: { showLegend: true, placement: 'bottom', calcs: ['mean', 'max'] },
    tooltip: { mode: TooltipDisplayMode.Multi, sort: SortOrder.Descending },
  };
  return { type: 'timeseries', ...panelBase(spec), fieldConfig, options: { ...options }, targets: [target('A', spec.sql, 'timeseries')] };
}

export function statPanel(spec: PanelSpec & { sql: string; unit: string; colours: ThresholdsConfig; decimals?: number }): SqlPanel {
  const options: StatOptions = {
    reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
    orientation: VizOrientation.Auto,
    colorMode: BigValueColorMode.Value,
    graphMode: BigValueGraphMode.None,
    justifyMode: BigValueJustifyMode.Auto,
    textMode: BigValueTextMode.Value,
    percentChangeColorMode: PercentChangeColorMode.Standard,
    showPercentChange: false,
    wideLayout: true,
  };
  const defaults: FieldConfig = { unit: spec.unit, thresholds: spec.colours, ...(spec.decimals === undefined ? {} : { decimals: spec.decimals }) };
  return { type: 'stat', ...panelBase(spec), fieldConfig: { defaults, overrides: [] }, options: { ...options }, targets: [target('A', spec.sql, 'table')] };
}

/** `units` maps a column to its unit (e.g. within_5s: 'percentunit'). */
export function tablePanel(spec: PanelSpec & { sql: string; units: Record<string, string> }): SqlPanel {
  const overrides: FieldConfigSource['overrides'] = Object.entries(spec.units).map(([column, unit]) => ({
    matcher: { id: 'byName', options: column },
    properties: [{ id: 'unit', value: unit }],
  }));
  const options: TableOptions = { showHeader: true, frameIndex: 0 };
  return { type: 'table', ...panelBase(spec), fieldConfig: { defaults: {}, overrides }, options: { ...options }, targets: [target('A', spec.sql, 'table')] };
}

/**
 * A variable filled by SQL. The query object suits both variable models of
 * the plugin: v4.x's CHVariableSupport reads `rawSql` ({ queryType: 'sql' }
 * is "Custom SQL"), and metricFindQuery takes any object with `rawSql`.
 */
export function queryVariable(spec: { name: string; label: string; sql: string; multiWithAll?: boolean; refresh?: VariableRefresh; hidden?: boolean }): VariableModel {
  const rawSql = spec.sql.trim();
  return {
    type: 'query',
    name: spec.name,
    label: spec.label,
    datasource: DATASOURCE,
    query: { refId: `${spec.name}-values`, queryType: 'sql', rawSql },
    refresh: spec.refresh ?? VariableRefresh.onDashboardLoad,
    sort: VariableSort.disabled,
    multi: spec.multiWithAll ?? false,
    includeAll: spec.multiWithAll ?? false,
    ...(spec.multiWithAll ? { current: { text: ['All'], value: ['$__all'] } } : {}),
    ...(spec.hidden ? { hide: VariableHide.hideVariable, skipUrlSync: true, allowCustomValue: false } : {}),
  };
}

/** A fixed value the SQL reads (e.g. the time zone months are counted in). */
export function constantVariable(name: string, value: string, description: string): VariableModel {
  return { type: 'constant', name, description, query: value, hide: VariableHide.hideVariable, skipUrlSync: true, current: { text: value, value } };
}

/** A value the viewer types (e.g. the agreed threshold), starting at `current`. */
export function textboxVariable(name: string, label: string, current: string, description: string): VariableModel {
  return { type: 'textbox', name, label, description, query: current, current: { text: current, value: current }, options: [{ text: current, value: current, selected: true }] };
}

export interface BoardSpec {
  uid: string;
  title: string;
  description: string;
  time: { from: string; to: string };
  variables: VariableModel[];
  panels: SqlPanel[];
}

/** Mimamori's boards are counted in the config's default time zone (server/config/load.ts). */
export const TIME_ZONE = DEFAULT_TIME_ZONE;

/** A Dashboard (build.ts writes it as one) whose panels are all SQL panels. */
export type Board = Omit<Dashboard, 'uid' | 'title' | 'panels' | 'templating'> & { uid: string; title: string; panels: SqlPanel[]; templating: { list: VariableModel[] } };

export function board(spec: BoardSpec): Board {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const panels = spec.panels.map((panel, i) => {
    const { w, h } = panel.gridPos!;
    if (x + w > 24) [x, y, rowHeight] = [0, y + rowHeight, 0];
    const placed = { ...panel, id: i + 1, gridPos: { x, y, w, h } };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return placed;
  });
  return {
    id: null,
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['mimamori'],
    // Provisioned from TypeScript: change grafana/boards/*.ts and rebuild, not the UI.
    editable: false,
    graphTooltip: DashboardCursorSync.Crosshair,
    timezone: TIME_ZONE,
    time: spec.time,
    refresh: '',
    schemaVersion: defaultDashboard.schemaVersion!,
    links: [{ title: 'Mimamori', type: 'dashboards', tags: ['mimamori'], asDropdown: true, icon: 'external link', includeVars: true, keepTime: true, targetBlank: false, tooltip: '' }],
    templating: { list: spec.variables },
    panels,
  };
}
