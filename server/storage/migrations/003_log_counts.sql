-- Log line counts per minute by environment, level, service and host: the
-- error counts that the read API, the rules and the wall screen ask for
-- most often are answered from here instead of scanning every line.

CREATE TABLE IF NOT EXISTS {{table:logs_1m}} {{on_cluster}}
(
    environment LowCardinality(String),
    level LowCardinality(String),
    service LowCardinality(String),
    host LowCardinality(String),
    time DateTime('UTC'),
    count SimpleAggregateFunction(sum, UInt64)
)
ENGINE = {{engine:AggregatingMergeTree}}
PARTITION BY toYYYYMM(time)
ORDER BY (environment, level, service, host, time)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS logs_1m_mv {{on_cluster}} TO {{table:logs_1m}} AS
SELECT environment, level, service, host, toStartOfMinute(timestamp) AS time, count() AS count
FROM {{table:logs}}
GROUP BY environment, level, service, host, time;
