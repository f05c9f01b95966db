// CPU (all cores) from the hourly metric rollup, as the capacity review and
// the annual analysis read it (server/reports/queries.ts cpuBuckets, CPU_P95).
import { inSelection, quoted } from './kit.ts';
import { CPU_P95_SQL } from '../../server/reports/queries.ts';

const CPU_ROWS = `environment = ${quoted('environment')} AND name = 'cpu_utilisation_percent' AND labels['cpu'] = 'total' AND ${inSelection('host', 'host')}`;

/** Per selected host and hour in `range` (an SQL condition on `time`): sum, count, peak and quantile state. */
export const cpuHours = (range: string) => `
  SELECT host, time AS hour, sum(sum) AS total, sum(count) AS n, max(max) AS peak, quantilesTDigestMergeState(0.5, 0.95, 0.99)(cpu_quantiles) AS q
  FROM metrics_1h
  WHERE ${CPU_ROWS} AND ${range}
  GROUP BY host, time`;

/** Mean over the grouped hours, weighted by samples. */
export const CPU_MEAN = 'sum(total) / nullIf(sum(n), 0)';

/**
 * p95 of the grouped hours' merged quantile state (migration 015); where no
 * hour has one (rolled up before 015, raw samples since expired), the p95 of
 * the hourly means instead: the reports' own expression.
 */
export const CPU_P95 = CPU_P95_SQL;
