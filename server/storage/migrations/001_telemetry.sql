-- Telemetry: logs, metrics and probes.
-- Each kind has a raw table (MergeTree, ordered by environment, key, time)
-- and an `_ingest` table of engine Null whose materialized view turns the
-- bytes that clients send (timestamps as text or epoch ms, optional fields)
-- into stored rows. Ingest writes raw NDJSON to `_ingest`, so the engine,
-- not JavaScript, parses every row. Retention (TTL) is set from the config
-- at start-up by retention.ts.
-- Codecs: ClickHouse's default LZ4 on the ingest-heavy columns. ZSTD packs
-- logs about twice as tightly but costs ingest CPU that a 2-core host
-- cannot spare (bench/RESULTS.md).

CREATE TABLE IF NOT EXISTS {{table:logs}} {{on_cluster}}
(
    timestamp DateTime64(3, 'UTC'),
    environment LowCardinality(String),
    host LowCardinality(String),
    service LowCardinality(String),
    level LowCardinality(String),
    message String,
    attributes Map(LowCardinality(String), String)
)
ENGINE = {{engine:MergeTree}}
PARTITION BY toYYYYMMDD(timestamp)
ORDER BY (environment, service, host, timestamp)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {{table:logs_ingest}} {{on_cluster}}
(
    timestamp String,
    environment String,
    host Nullable(String),
    service Nullable(String),
    level Nullable(String),
    message String,
    attributes Map(String, String)
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS logs_ingest_mv {{on_cluster}} TO {{table:logs}} AS
WITH lower(trimBoth(ifNull(level, ''))) AS lvl
SELECT
    if(match(timestamp, '^-?[0-9]+$'), fromUnixTimestamp64Milli(toInt64(timestamp), 'UTC'), parseDateTime64BestEffort(timestamp, 3, 'UTC')) AS timestamp,
    environment,
    ifNull(host, '') AS host,
    ifNull(service, '') AS service,
    multiIf(
        lvl IN ('err', 'error', 'severe'), 'error',
        lvl IN ('warn', 'warning'), 'warn',
        lvl IN ('fatal', 'crit', 'critical', 'emerg', 'emergency', 'alert', 'panic'), 'fatal',
        lvl IN ('', 'info', 'information', 'informational', 'notice'), 'info',
        lvl IN ('debug', 'trace'), lvl,
        lvl) AS level,
    message,
    mapSort(attributes) AS attributes
FROM {{table:logs_ingest}};

CREATE TABLE IF NOT EXISTS {{table:metrics}} {{on_cluster}}
(
    timestamp DateTime64(3, 'UTC'),
    environment LowCardinality(String),
    host LowCardinality(String),
    name LowCardinality(String),
    labels Map(LowCardinality(String), String),
    value Float64 CODEC(Gorilla, ZSTD(1))
)
ENGINE = {{engine:MergeTree}}
PARTITION BY toYYYYMM(timestamp)
ORDER BY (environment, name, host, timestamp)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {{table:metrics_ingest}} {{on_cluster}}
(
    timestamp String,
    environment String,
    host Nullable(String),
    name String,
    labels Map(String, String),
    value Float64
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_ingest_mv {{on_cluster}} TO {{table:metrics}} AS
SELECT
    if(match(timestamp, '^-?[0-9]+$'), fromUnixTimestamp64Milli(toInt64(timestamp), 'UTC'), parseDateTime64BestEffort(timestamp, 3, 'UTC')) AS timestamp,
    environment,
    ifNull(host, '') AS host,
    name,
    mapSort(labels) AS labels,
    value
FROM {{table:metrics_ingest}};

CREATE TABLE IF NOT EXISTS {{table:probes}} {{on_cluster}}
(
    timestamp DateTime64(3, 'UTC'),
    environment LowCardinality(String),
    target LowCardinality(String),
    url String,
    ok Bool,
    status UInt16,
    error String,
    dns_ms Nullable(Float64),
    connect_ms Nullable(Float64),
    tls_ms Nullable(Float64),
    ttfb_ms Nullable(Float64),
    total_ms Float64
)
ENGINE = {{engine:MergeTree}}
PARTITION BY toYYYYMM(timestamp)
ORDER BY (environment, target, timestamp)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {{table:probes_ingest}} {{on_cluster}}
(
    timestamp String,
    environment String,
    target String,
    url Nullable(String),
    ok Bool,
    status Nullable(UInt16),
    error Nullable(String),
    dns_ms Nullable(Float64),
    connect_ms Nullable(Float64),
    tls_ms Nullable(Float64),
    ttfb_ms Nullable(Float64),
    total_ms Float64
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS probes_ingest_mv {{on_cluster}} TO {{table:probes}} AS
SELECT
    if(match(timestamp, '^-?[0-9]+$'), fromUnixTimestamp64Milli(toInt64(timestamp), 'UTC'), parseDateTime64BestEffort(timestamp, 3, 'UTC')) AS timestamp,
    environment,
    target,
    ifNull(url, '') AS url,
    ok,
    ifNull(status, 0) AS status,
    ifNull(error, '') AS error,
    dns_ms, connect_ms, tls_ms, ttfb_ms,
    total_ms
FROM {{table:probes_ingest}};

-- Idempotency keys of accepted ingest requests, so a client's retry of a
-- batch it already delivered is answered without storing it twice.
CREATE TABLE IF NOT EXISTS {{table:ingest_batches}} {{on_cluster}}
(
    key String,
    kind LowCardinality(String),
    rows UInt32,
    received_at DateTime64(3, 'UTC')
)
ENGINE = {{engine:ReplacingMergeTree}}
ORDER BY key
TTL toDateTime(received_at) + INTERVAL 7 DAY
SETTINGS non_replicated_deduplication_window = 1000;
