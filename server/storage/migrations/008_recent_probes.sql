-- The newest day of probe results ordered by time first, so "the last hour
-- of every target" (the wall screen, every few seconds) reads only the
-- table's tail instead of one 8,192-row granule per target of the
-- (environment, target, time)-ordered `probes` table. Filled by a view as
-- rows arrive (not backfilled: after an upgrade the wall's hour fills up
-- within an hour); rows leave after a day.

CREATE TABLE IF NOT EXISTS {{table:probes_recent}} {{on_cluster}}
(
    timestamp DateTime64(3, 'UTC'),
    environment LowCardinality(String),
    target LowCardinality(String),
    ok Bool,
    total_ms Float64
)
ENGINE = {{engine:MergeTree}}
PARTITION BY toYYYYMMDD(timestamp)
ORDER BY (timestamp, environment, target)
TTL toDateTime(timestamp) + INTERVAL 1 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS probes_recent_mv {{on_cluster}} TO {{table:probes_recent}} AS
SELECT timestamp, environment, target, ok, total_ms FROM {{table:probes}};
