// The capacity review's forecast in SQL, for the capacity board: the
// Theil–Sen trend of each host's daily p95 over the last 90 days, Sen's 95 %
// interval of its slope, and when the line reaches the threshold, with the
// same rules as server/reports/forecast.ts (under 14 days "not enough data";
// the last day over: "over"; unless the interval's low end is above zero:
// "not rising"). boards.test.ts holds the two to the same answers.
import { CPU_P95, cpuHours } from './cpu.ts';
import { quoted } from './kit.ts';

/** Where a line through the median point at `slope` reaches the level: a day, counted from the first, never before the last. */
const reach = (slope: string) => `toIntervalDay(toInt64(floor(greatest(xs[days], xm + (level - (intercept + slope_per_day * xm)) / ${slope}))))`;

/** The panel's query, with `threshold` an SQL expression (the board's variable) and `range` the SQL condition on `time`. */
export const forecastSql = (threshold: string, range: string) => `
SELECT host, forecast, days, latest_p95_percent, slope_per_day, slope_low, slope_high,
  if(forecast = 'crosses', toDate(day0 + ${reach('slope_per_day')}), NULL) AS crosses_on,
  if(forecast = 'crosses', toDate(day0 + ${reach('slope_high')}), NULL) AS earliest,
  if(forecast = 'crosses', toDate(day0 + ${reach('slope_low')}), NULL) AS latest
FROM (
  SELECT host, day0, days, xs, ys, ys[days] AS latest_p95_percent, level,
    arraySort(arrayFlatten(arrayMap(i -> arrayMap(j -> (ys[j] - ys[i]) / (xs[j] - xs[i]), range(i + 1, days + 1)), range(1, days + 1)))) AS slopes,
    length(slopes) AS pairs,
    if(pairs = 0, NULL, arrayReduce('quantileExactInclusive(0.5)', slopes)) AS slope_per_day,
    -- Sen (1968): the interval's ends are ranks of the ordered slopes, from the variance of Kendall's S.
    1.96 * sqrt(days * (days - 1) * (2 * days + 5) / 18) AS c,
    if(pairs = 0, NULL, slopes[toUInt32(greatest(0., floor((pairs - c) / 2))) + 1]) AS slope_low,
    if(pairs = 0, NULL, slopes[toUInt32(least(toFloat64(pairs - 1), ceil((pairs + c) / 2))) + 1]) AS slope_high,
    arrayReduce('quantileExactInclusive(0.5)', arrayMap((x, y) -> y - slope_per_day * x, xs, ys)) AS intercept,
    arrayReduce('quantileExactInclusive(0.5)', xs) AS xm,
    multiIf(days < 14, 'not enough data', latest_p95_percent > level, 'over', slope_low <= 0, 'not rising', 'crosses') AS forecast
  FROM (
    -- Days in order (groupArray keeps no order of its own), x in days from the host's first.
    SELECT host, min(day) AS day0, arraySort(groupArray((toFloat64(dateDiff('day', day0_all, day)), p95))) AS points,
      arrayMap(p -> p.1, points) AS xs, arrayMap(p -> p.2, points) AS ys, length(points) AS days, any(level) AS level
    FROM (
      SELECT host, day, min(day) OVER (PARTITION BY host) AS day0_all, p95, ${threshold} AS level
      FROM (
        SELECT host, toStartOfDay(hour, ${quoted('tz')}) AS day, ${CPU_P95} AS p95
        FROM (${cpuHours(range)})
        GROUP BY host, day))
    GROUP BY host))
ORDER BY indexOf(['over', 'crosses', 'not rising', 'not enough data'], forecast), crosses_on, host`;
