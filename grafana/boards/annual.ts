// Annual analysis: a year month by month in Mimamori's time zone (whole
// hours, so the hourly rollups split exactly at month ends in Tokyo):
// availability and p95 response per target, CPU p95 per host, log errors.
import { CPU_MEAN, CPU_P95, cpuHours } from './cpu.ts';
import { board, constantVariable, inSelection, orNull, queryVariable, quoted, tablePanel, TIME_ZONE, type Board } from './kit.ts';

const TZ = quoted('tz');
const IN_RANGE = 'time >= $__fromTime AND time < $__toTime';
const MONTH_OF = (column: string) => `formatDateTime(${column}, '%Y-%m', ${TZ})`;

const variables = [
  queryVariable({ name: 'environment', label: 'Environment', sql: 'SELECT DISTINCT environment FROM probes_1h ORDER BY environment' }),
  queryVariable({
    name: 'target', label: 'Target', multiWithAll: true,
    sql: `SELECT DISTINCT target FROM probes_1h WHERE environment = ${quoted('environment')} ORDER BY target`,
  }),
  queryVariable({
    name: 'host', label: 'Host', multiWithAll: true,
    sql: `SELECT DISTINCT host FROM metrics_1h WHERE environment = ${quoted('environment')} AND name = 'cpu_utilisation_percent' ORDER BY host`,
  }),
  constantVariable('tz', TIME_ZONE, 'Time zone months are counted in (mimamori.yaml timezone).'),
];

const probes = tablePanel({
  title: 'Availability and response per target and month',
  description: 'Per month and target: probes, availability (answered at all), answered within 5 s, and p95 of answered probes.',
  width: 24, height: 10,
  units: { availability: 'percentunit', within_target: 'percentunit', p95_ms: 'ms' },
  sql: `
SELECT ${MONTH_OF('time')} AS month, target, sum(count) AS probes, sum(ok_count) / nullIf(sum(count), 0) AS availability,
  (sum(ok_count) - sum(slow_count)) / nullIf(sum(count), 0) AS within_target,
  ${orNull('quantilesTDigestMerge(0.5, 0.9, 0.95, 0.99)(quantiles_ms)[3]')} AS p95_ms
FROM probes_1h
WHERE environment = ${quoted('environment')} AND ${inSelection('target', 'target')} AND ${IN_RANGE}
GROUP BY month, target
ORDER BY month, target`,
});

const cpu = tablePanel({
  title: 'CPU per host and month',
  description: 'Per month and host: p95 of the CPU samples (from the rollup\'s quantile state), mean and peak.',
  width: 24, height: 10,
  units: { p95_percent: 'percent', mean_percent: 'percent', peak_percent: 'percent' },
  sql: `
SELECT ${MONTH_OF('hour')} AS month, host, ${CPU_P95} AS p95_percent, ${CPU_MEAN} AS mean_percent, max(peak) AS peak_percent
FROM (${cpuHours(IN_RANGE)}
)
GROUP BY month, host
ORDER BY month, host`,
});

// Log counts have a minute rollup only (migration 003); it keeps one row per
// minute, level, service and host that had lines, and only error-level rows are read.
const logErrors = tablePanel({
  title: 'Log errors per month',
  description: 'Per month and service: error and fatal lines, and warnings.',
  width: 24, height: 10,
  units: {},
  sql: `
SELECT ${MONTH_OF('time')} AS month, service, sumIf(count, level IN ('error', 'fatal')) AS errors, sumIf(count, level = 'warn') AS warnings
FROM logs_1m
WHERE environment = ${quoted('environment')} AND level IN ('fatal', 'error', 'warn') AND ${IN_RANGE}
GROUP BY month, service
ORDER BY month, service`,
});

export const annualBoard: Board = board({
  uid: 'mimamori-annual',
  title: 'Mimamori — annual analysis',
  description: 'Twelve months, month by month in the configured time zone, from the hourly rollups (log errors from the minute rollup).',
  time: { from: 'now-11M/M', to: 'now/M' },
  variables,
  panels: [probes, cpu, logErrors],
});
