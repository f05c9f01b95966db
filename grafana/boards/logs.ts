// Logs: error lines over time per service and the services with the most,
// from the per-minute log counts (migration 003), never the lines themselves.
import { board, inSelection, queryVariable, quoted, statPanel, tablePanel, thresholds, timeSeriesPanel, type Board } from './kit.ts';

/** The levels the ingest view normalises error-like lines to (migration 001). */
const ERROR_LEVELS = "('error', 'fatal')";
const SELECTED = `environment = ${quoted('environment')} AND ${inSelection('host', 'host')} AND ${inSelection('service', 'service')}`;
const IN_RANGE = 'time >= $__fromTime AND time < $__toTime';

const variables = [
  queryVariable({ name: 'environment', label: 'Environment', sql: 'SELECT DISTINCT environment FROM logs_1m ORDER BY environment' }),
  queryVariable({
    name: 'host', label: 'Host', multiWithAll: true,
    sql: `SELECT DISTINCT host FROM logs_1m WHERE environment = ${quoted('environment')} ORDER BY host`,
  }),
  queryVariable({
    name: 'service', label: 'Service', multiWithAll: true,
    sql: `SELECT DISTINCT service FROM logs_1m WHERE environment = ${quoted('environment')} ORDER BY service`,
  }),
];

const overTime = timeSeriesPanel({
  title: 'Error lines per service',
  description: 'Lines at level error or fatal per service and interval.',
  width: 24, height: 10, unit: 'short', bars: true, minInterval: '1m',
  displayName: '${__field.labels.service}',
  sql: `
SELECT bucket AS time, service, errors
FROM (
  SELECT $__timeInterval(time) AS bucket, service, sum(count) AS errors
  FROM logs_1m
  WHERE ${SELECTED} AND level IN ${ERROR_LEVELS} AND $__timeFilter(time)
  GROUP BY bucket, service
)
ORDER BY time, service`,
});

const total = statPanel({
  title: 'Error lines',
  description: 'Lines at level error or fatal in the range, of the selected hosts and services.',
  width: 6, height: 8, unit: 'short',
  colours: thresholds([{ color: 'green', value: null }, { color: 'red', value: 1 }]),
  sql: `
SELECT sum(count) AS errors
FROM logs_1m
WHERE ${SELECTED} AND level IN ${ERROR_LEVELS} AND ${IN_RANGE}`,
});

const top = tablePanel({
  title: 'Top services',
  description: 'The 20 services with the most error lines in the range, with their warnings and how many hosts logged them.',
  width: 18, height: 8, units: {},
  sql: `
SELECT service, sumIf(count, level IN ${ERROR_LEVELS}) AS errors, sumIf(count, level = 'warn') AS warnings, uniqExact(host) AS hosts
FROM logs_1m
WHERE ${SELECTED} AND level IN ('fatal', 'error', 'warn') AND ${IN_RANGE}
GROUP BY service
ORDER BY errors DESC, warnings DESC, service
LIMIT 20`,
});

export const logsBoard: Board = board({
  uid: 'mimamori-logs',
  title: 'Mimamori — logs',
  description: 'Error lines per service, from the per-minute log counts.',
  time: { from: 'now-24h', to: 'now' },
  variables,
  panels: [overTime, total, top],
});
