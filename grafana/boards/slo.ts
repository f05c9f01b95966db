// SLO and response times: per-target quantiles against the 5 s response
// target, the share of probes answered within it, and what is left of the
// error budget of the objective (a variable starting at the server's
// slo.objective_percent default) over the dashboard's range. A probe is
// good when it answered within 5 s (migration 014): good = ok_count - slow_count.
import { VariableRefresh } from '@grafana/schema';
import { board, inSelection, orNull, queryVariable, quoted, redFrom, statPanel, tablePanel, textboxVariable, thresholds, timeSeriesPanel, type Board } from './kit.ts';
import { DEFAULT_OBJECTIVE_PERCENT } from './server-defaults.ts';

export const RESPONSE_TARGET_MS = 5000;
/** The objective as a share, from the board's variable (slo.objective_percent of mimamori.yaml). */
const OBJECTIVE = `(toFloat64(${quoted('slo_objective')}) / 100)`;
/** The stat's colours cannot follow a variable: green from the default objective. */
const DEFAULT_OBJECTIVE = DEFAULT_OBJECTIVE_PERCENT / 100;
/** Ranges longer than this read the hourly rollup (a minute bucket a pixel is pointless beyond). */
export const MINUTE_ROLLUP_MAX_SECONDS = 2 * 86_400;

const ROLLUP = '${probe_rollup}';
const PROBES = `environment = ${quoted('environment')} AND ${inSelection('target', 'target')}`;
// Half-open, so that whole-hour or whole-day ranges never count the bucket that starts at their end.
const IN_RANGE = 'time >= $__fromTime AND time < $__toTime';
const GOOD = '(sum(ok_count) - sum(slow_count))';
const WITHIN_TARGET = `${GOOD} / nullIf(sum(count), 0)`;
/** 1 = untouched, 0 = spent, below 0 = overspent: bad probes over the (1 - objective) share allowed. */
const BUDGET_REMAINING = `1 - (sum(count) - ${GOOD}) / nullIf(sum(count) * (1 - ${OBJECTIVE}), 0)`;
const QUANTILES = 'quantilesTDigestMerge(0.5, 0.9, 0.95, 0.99)(quantiles_ms)';

const variables = [
  queryVariable({ name: 'environment', label: 'Environment', sql: 'SELECT DISTINCT environment FROM probes_1h ORDER BY environment' }),
  queryVariable({
    name: 'target', label: 'Target', multiWithAll: true,
    sql: `SELECT DISTINCT target FROM probes_1h WHERE environment = ${quoted('environment')} ORDER BY target`,
  }),
  textboxVariable('slo_objective', 'Objective %', String(DEFAULT_OBJECTIVE_PERCENT),
    `The share of probes that must answer within ${RESPONSE_TARGET_MS / 1000} s. Starts at the server's default slo.objective_percent (${DEFAULT_OBJECTIVE_PERCENT} %); type the configured value if mimamori.yaml sets another.`),
  queryVariable({
    name: 'probe_rollup', label: 'Probe rollup', hidden: true, refresh: VariableRefresh.onTimeRangeChanged,
    sql: `SELECT if(dateDiff('second', $__fromTime, $__toTime) > ${MINUTE_ROLLUP_MAX_SECONDS}, 'probes_1h', 'probes_1m') AS rollup`,
  }),
];

const quantiles = timeSeriesPanel({
  title: 'Response time per target (p50, p95, p99)',
  description: `Quantiles of answered probes (failures are not response times), against the ${RESPONSE_TARGET_MS / 1000} s target. Minute rollup up to two days, hourly beyond.`,
  width: 24, height: 10, unit: 'ms',
  displayName: '${__field.labels.target} ${__field.name}',
  thresholdLine: redFrom(RESPONSE_TARGET_MS),
  sql: `
SELECT bucket AS time, target, ${orNull('q[1]')} AS p50, ${orNull('q[3]')} AS p95, ${orNull('q[4]')} AS p99
FROM (
  SELECT $__timeInterval(time) AS bucket, target, ${QUANTILES} AS q
  FROM ${ROLLUP}
  WHERE ${PROBES} AND $__timeFilter(time)
  GROUP BY bucket, target
)
ORDER BY time, target`,
});

const withinTarget = statPanel({
  title: `Answered within ${RESPONSE_TARGET_MS / 1000} s`,
  description: 'Probes answered within the response target, of all probes (failures count against it) in the range and the selected targets.',
  width: 8, height: 6, unit: 'percentunit', decimals: 3,
  colours: thresholds([{ color: 'red', value: null }, { color: 'green', value: DEFAULT_OBJECTIVE }]),
  sql: `
SELECT ${WITHIN_TARGET} AS within_target
FROM ${ROLLUP}
WHERE ${PROBES} AND ${IN_RANGE}`,
});

const budget = statPanel({
  title: 'Error budget remaining (${slo_objective} % objective)',
  description: `The objective (the Objective % variable) allows the rest of the range's probes to fail or answer slower than ${RESPONSE_TARGET_MS / 1000} s; this is the part of that allowance not yet used (negative: overspent).`,
  width: 8, height: 6, unit: 'percentunit', decimals: 1,
  colours: thresholds([{ color: 'red', value: null }, { color: 'orange', value: 0 }, { color: 'green', value: 0.25 }]),
  sql: `
SELECT ${BUDGET_REMAINING} AS budget_remaining
FROM ${ROLLUP}
WHERE ${PROBES} AND ${IN_RANGE}`,
});

const probeCount = statPanel({
  title: 'Probes',
  description: 'Probes sent in the range to the selected targets (the base of both ratios).',
  width: 8, height: 6, unit: 'short', colours: thresholds([{ color: 'text', value: null }]),
  sql: `
SELECT sum(count) AS probes
FROM ${ROLLUP}
WHERE ${PROBES} AND ${IN_RANGE}`,
});

const perTarget = tablePanel({
  title: 'Per target',
  description: 'Each target over the range: probes, availability (answered at all), answered within the target, error budget remaining and p95 of answered probes.',
  width: 24, height: 8,
  units: { availability: 'percentunit', within_target: 'percentunit', budget_remaining: 'percentunit', p95_ms: 'ms' },
  sql: `
SELECT target, sum(count) AS probes, sum(ok_count) / nullIf(sum(count), 0) AS availability,
  ${WITHIN_TARGET} AS within_target, ${BUDGET_REMAINING} AS budget_remaining, ${orNull(`${QUANTILES}[3]`)} AS p95_ms
FROM ${ROLLUP}
WHERE ${PROBES} AND ${IN_RANGE}
GROUP BY target
ORDER BY target`,
});

export const sloBoard: Board = board({
  uid: 'mimamori-slo',
  title: 'Mimamori — SLO and response times',
  description: `Synthetic probes against the ${RESPONSE_TARGET_MS / 1000} s response target and the objective (default ${DEFAULT_OBJECTIVE_PERCENT} %, slo.objective_percent), from the probe rollups.`,
  time: { from: 'now-30d', to: 'now' },
  variables,
  panels: [quantiles, withinTarget, budget, probeCount, perTarget],
});
