-- Quantile state for the CPU series in the metric rollups, so that a day's,
-- a month's or a year's p95 CPU comes from metrics_1h (24 rows a day per
-- host) and not from raw samples or minute means (issue 16, item 18). Only
-- cpu_utilisation_percent rows fill it (the -If state has the column's
-- type, and an empty state is a few bytes), other metrics keep it empty.
-- The second ALTER of each pair reaches the Distributed table of a cluster;
-- on one node it names the same table and IF NOT EXISTS makes it a no-op.
ALTER TABLE {{table:metrics_1m}} {{on_cluster}} ADD COLUMN IF NOT EXISTS cpu_quantiles AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64);

ALTER TABLE metrics_1m {{on_cluster}} ADD COLUMN IF NOT EXISTS cpu_quantiles AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64);

ALTER TABLE {{table:metrics_1h}} {{on_cluster}} ADD COLUMN IF NOT EXISTS cpu_quantiles AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64);

ALTER TABLE metrics_1h {{on_cluster}} ADD COLUMN IF NOT EXISTS cpu_quantiles AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64);

DROP VIEW IF EXISTS metrics_1m_mv {{on_cluster}};

CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_1m_mv {{on_cluster}} TO {{table:metrics_1m}} AS
SELECT environment, name, host, cityHash64(mapKeys(labels), mapValues(labels)) AS labels_hash, labels,
    toStartOfMinute(timestamp) AS time,
    count() AS count, sum(value) AS sum, min(value) AS min, max(value) AS max, argMaxState(value, timestamp) AS last,
    quantilesTDigestStateIf(0.5, 0.95, 0.99)(value, name = 'cpu_utilisation_percent') AS cpu_quantiles
FROM {{table:metrics}}
GROUP BY environment, name, host, labels_hash, labels, time;

DROP VIEW IF EXISTS metrics_1h_mv {{on_cluster}};

CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_1h_mv {{on_cluster}} TO {{table:metrics_1h}} AS
SELECT environment, name, host, cityHash64(mapKeys(labels), mapValues(labels)) AS labels_hash, labels,
    toStartOfHour(timestamp) AS time,
    count() AS count, sum(value) AS sum, min(value) AS min, max(value) AS max, argMaxState(value, timestamp) AS last,
    quantilesTDigestStateIf(0.5, 0.95, 0.99)(value, name = 'cpu_utilisation_percent') AS cpu_quantiles
FROM {{table:metrics}}
GROUP BY environment, name, host, labels_hash, labels, time;

-- Backfill the state of the CPU samples already stored (migrations run
-- before ingest opens, so the new views have seen none of them). count and
-- sum are 0 so totals do not double; min, max and last merge to the same
-- values. Samples older than the raw retention are gone: their hours keep
-- an empty state and the reports fall back to the hourly means there.
INSERT INTO metrics_1m (environment, name, host, labels_hash, labels, time, count, sum, min, max, last, cpu_quantiles)
SELECT environment, name, host, cityHash64(mapKeys(labels), mapValues(labels)) AS labels_hash, any(labels), toStartOfMinute(timestamp) AS time,
    toUInt64(0), toFloat64(0), min(value), max(value), argMaxState(value, timestamp), quantilesTDigestState(0.5, 0.95, 0.99)(value)
FROM metrics
WHERE name = 'cpu_utilisation_percent'
GROUP BY environment, name, host, labels_hash, time;

INSERT INTO metrics_1h (environment, name, host, labels_hash, labels, time, count, sum, min, max, last, cpu_quantiles)
SELECT environment, name, host, cityHash64(mapKeys(labels), mapValues(labels)) AS labels_hash, any(labels), toStartOfHour(timestamp) AS time,
    toUInt64(0), toFloat64(0), min(value), max(value), argMaxState(value, timestamp), quantilesTDigestState(0.5, 0.95, 0.99)(value)
FROM metrics
WHERE name = 'cpu_utilisation_percent'
GROUP BY environment, name, host, labels_hash, time;
