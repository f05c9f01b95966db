// Capacity review: CPU per host (mean and p95) against the agreed threshold,
// and the daily p95 of the last 90 days that the review's trend is fitted to.
// Everything reads the hourly rollup: 90 days of minutes is 130k rows a host.
import { CPU_MEAN, CPU_P95, cpuHours } from './cpu.ts';
import { forecastSql } from './forecast.ts';
import { board, constantVariable, queryVariable, quoted, redFrom, tablePanel, textboxVariable, timeSeriesPanel, TIME_ZONE, type Board } from './kit.ts';
import { DEFAULT_THRESHOLD_PERCENT } from './server-defaults.ts';
const THRESHOLD = `toFloat64(${quoted('cpu_threshold')})`;

const variables = [
  queryVariable({ name: 'environment', label: 'Environment', sql: "SELECT DISTINCT environment FROM metrics_1h WHERE name = 'cpu_utilisation_percent' ORDER BY environment" }),
  queryVariable({
    name: 'host', label: 'Host', multiWithAll: true,
    sql: `SELECT DISTINCT host FROM metrics_1h WHERE environment = ${quoted('environment')} AND name = 'cpu_utilisation_percent' ORDER BY host`,
  }),
  textboxVariable('cpu_threshold', 'Threshold %', String(DEFAULT_THRESHOLD_PERCENT),
    `The agreed CPU threshold, one for all hosts shown. Starts at the server's default (${DEFAULT_THRESHOLD_PERCENT} %: the built-in cpu-capacity rule, used when mimamori.yaml has no capacity: section); type the agreed value when capacity: sets another, or per host for hosts with their own.`),
  constantVariable('tz', TIME_ZONE, 'Time zone days are counted in (mimamori.yaml timezone).'),
];

const cpu = timeSeriesPanel({
  title: 'CPU per host (mean and p95)',
  description: 'All-core CPU per host and interval: the sample-weighted mean and the p95 of the samples (from the rollup\'s quantile state), against the chosen threshold.',
  width: 24, height: 10, unit: 'percent', minInterval: '1h',
  displayName: '${__field.labels.host} ${__field.name}',
  thresholdLine: redFrom(DEFAULT_THRESHOLD_PERCENT, '$cpu_threshold'),
  sql: `
SELECT $__timeInterval(hour) AS time, host, ${CPU_MEAN} AS mean, ${CPU_P95} AS p95
FROM (${cpuHours('$__timeFilter(time)')}
)
GROUP BY time, host
ORDER BY time, host`,
});

const daily = timeSeriesPanel({
  title: 'Daily CPU p95 per host (90 days)',
  description: 'The p95 of each day\'s samples per host over the last 90 days, whatever the dashboard\'s range: the series the capacity review fits its trend to.',
  width: 24, height: 10, unit: 'percent', timeFrom: '90d',
  displayName: '${__field.labels.host}',
  thresholdLine: redFrom(DEFAULT_THRESHOLD_PERCENT, '$cpu_threshold'),
  sql: `
SELECT toStartOfDay(hour, ${quoted('tz')}) AS time, host, ${CPU_P95} AS p95
FROM (${cpuHours('time >= $__fromTime AND time < $__toTime')}
)
GROUP BY time, host
ORDER BY time, host`,
});

const hosts = tablePanel({
  title: 'Hosts over the range',
  description: 'Per host: mean, p95 and peak CPU over the range, and the hours whose mean was over the chosen threshold.',
  width: 24, height: 8,
  units: { mean_percent: 'percent', p95_percent: 'percent', peak_percent: 'percent' },
  sql: `
SELECT host, ${CPU_MEAN} AS mean_percent, ${CPU_P95} AS p95_percent, max(peak) AS peak_percent,
  countIf(total / n > ${THRESHOLD}) AS hours_over_threshold
FROM (${cpuHours('time >= $__fromTime AND time < $__toTime')}
)
GROUP BY host
ORDER BY host`,
});

const forecast = tablePanel({
  title: 'Forecast: when the daily p95 reaches the threshold',
  description: 'Per host, the Theil–Sen trend of the daily p95 over the last 90 days with Sen\'s 95 % interval of its slope (points a day), and the day the line reaches the chosen threshold with the range of days; "not enough data" under 14 days, "over" when the last day already is, "not rising" unless the whole interval is above zero. The same arithmetic as Mimamori\'s capacity review, which uses each host\'s own agreed threshold.',
  width: 24, height: 8, timeFrom: '90d',
  units: { latest_p95_percent: 'percent' },
  sql: forecastSql(THRESHOLD, 'time >= $__fromTime AND time < $__toTime'),
});

export const capacityBoard: Board = board({
  uid: 'mimamori-capacity',
  title: 'Mimamori — capacity review',
  description: 'CPU per host against the agreed threshold, from the hourly metric rollup.',
  time: { from: 'now-90d', to: 'now' },
  variables,
  panels: [cpu, daily, forecast, hosts],
});
