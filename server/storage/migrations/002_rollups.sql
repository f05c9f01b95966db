-- 1-minute and 1-hour rollups, filled by materialized views as rows arrive,
-- so a dashboard or a year of analysis never scans raw rows.
-- probes: slow_count counts answers over the 5 s response target (item 22).

CREATE TABLE IF NOT EXISTS {{table:probes_1m}} {{on_cluster}}
(
    environment LowCardinality(String),
    target LowCardinality(String),
    time DateTime('UTC'),
    count SimpleAggregateFunction(sum, UInt64),
    ok_count SimpleAggregateFunction(sum, UInt64),
    slow_count SimpleAggregateFunction(sum, UInt64),
    sum_ms SimpleAggregateFunction(sum, Float64),
    min_ms SimpleAggregateFunction(min, Float64),
    max_ms SimpleAggregateFunction(max, Float64),
    quantiles_ms AggregateFunction(quantilesTDigest(0.5, 0.9, 0.95, 0.99), Float64),
    dns_ms AggregateFunction(avg, Nullable(Float64)),
    connect_ms AggregateFunction(avg, Nullable(Float64)),
    tls_ms AggregateFunction(avg, Nullable(Float64)),
    ttfb_ms AggregateFunction(avg, Nullable(Float64))
)
ENGINE = {{engine:AggregatingMergeTree}}
PARTITION BY toYYYYMM(time)
ORDER BY (environment, target, time)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS probes_1m_mv {{on_cluster}} TO {{table:probes_1m}} AS
SELECT environment, target, toStartOfMinute(timestamp) AS time,
    count() AS count, countIf(ok) AS ok_count, countIf(total_ms > 5000) AS slow_count,
    sum(total_ms) AS sum_ms, min(total_ms) AS min_ms, max(total_ms) AS max_ms,
    quantilesTDigestState(0.5, 0.9, 0.95, 0.99)(total_ms) AS quantiles_ms,
    avgState(dns_ms) AS dns_ms, avgState(connect_ms) AS connect_ms, avgState(tls_ms) AS tls_ms, avgState(ttfb_ms) AS ttfb_ms
FROM {{table:probes}}
GROUP BY environment, target, time;

CREATE TABLE IF NOT EXISTS {{table:probes_1h}} {{on_cluster}} AS {{table:probes_1m}}
ENGINE = {{engine:AggregatingMergeTree}}
PARTITION BY toYear(time)
ORDER BY (environment, target, time)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS probes_1h_mv {{on_cluster}} TO {{table:probes_1h}} AS
SELECT environment, target, toStartOfHour(timestamp) AS time,
    count() AS count, countIf(ok) AS ok_count, countIf(total_ms > 5000) AS slow_count,
    sum(total_ms) AS sum_ms, min(total_ms) AS min_ms, max(total_ms) AS max_ms,
    quantilesTDigestState(0.5, 0.9, 0.95, 0.99)(total_ms) AS quantiles_ms,
    avgState(dns_ms) AS dns_ms, avgState(connect_ms) AS connect_ms, avgState(tls_ms) AS tls_ms, avgState(ttfb_ms) AS ttfb_ms
FROM {{table:probes}}
GROUP BY environment, target, time;

CREATE TABLE IF NOT EXISTS {{table:metrics_1m}} {{on_cluster}}
(
    environment LowCardinality(String),
    name LowCardinality(String),
    host LowCardinality(String),
    labels_hash UInt64,
    -- functionally dependent on labels_hash, so any() is exact
    labels SimpleAggregateFunction(any, Map(String, String)),
    time DateTime('UTC'),
    count SimpleAggregateFunction(sum, UInt64),
    sum SimpleAggregateFunction(sum, Float64),
    min SimpleAggregateFunction(min, Float64),
    max SimpleAggregateFunction(max, Float64),
    last AggregateFunction(argMax, Float64, DateTime64(3, 'UTC'))
)
ENGINE = {{engine:AggregatingMergeTree}}
PARTITION BY toYYYYMM(time)
ORDER BY (environment, name, host, labels_hash, time)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_1m_mv {{on_cluster}} TO {{table:metrics_1m}} AS
SELECT environment, name, host, cityHash64(mapKeys(labels), mapValues(labels)) AS labels_hash, labels,
    toStartOfMinute(timestamp) AS time,
    count() AS count, sum(value) AS sum, min(value) AS min, max(value) AS max, argMaxState(value, timestamp) AS last
FROM {{table:metrics}}
GROUP BY environment, name, host, labels_hash, labels, time;

CREATE TABLE IF NOT EXISTS {{table:metrics_1h}} {{on_cluster}} AS {{table:metrics_1m}}
ENGINE = {{engine:AggregatingMergeTree}}
PARTITION BY toYear(time)
ORDER BY (environment, name, host, labels_hash, time)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_1h_mv {{on_cluster}} TO {{table:metrics_1h}} AS
SELECT environment, name, host, cityHash64(mapKeys(labels), mapValues(labels)) AS labels_hash, labels,
    toStartOfHour(timestamp) AS time,
    count() AS count, sum(value) AS sum, min(value) AS min, max(value) AS max, argMaxState(value, timestamp) AS last
FROM {{table:metrics}}
GROUP BY environment, name, host, labels_hash, labels, time;
