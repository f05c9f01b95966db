-- Real-user monitoring: what the Grafana Faro web SDK reports from browsers
-- (server/faro). One table per kind of Faro item. `environment` and `app`
-- come from the app key's configuration, never from the payload; what the
-- page said about itself stays in `attributes` (meta.app.environment, …).
-- `page_url` is the full URL; reads group by it without query and fragment.

CREATE TABLE IF NOT EXISTS {{table:rum_measurements}} {{on_cluster}}
(
    timestamp DateTime64(3, 'UTC'),
    environment LowCardinality(String),
    app LowCardinality(String),
    app_version LowCardinality(String),
    session_id String,
    page_url String,
    name LowCardinality(String),
    value Float64,
    browser LowCardinality(String),
    attributes Map(String, String)
)
ENGINE = {{engine:MergeTree}}
PARTITION BY toYYYYMM(timestamp)
ORDER BY (environment, app, name, timestamp)
SETTINGS non_replicated_deduplication_window = 1000;

-- Page loads (faro.performance.navigation, duration_ms = page-load time),
-- resource timings, session starts and custom events.
CREATE TABLE IF NOT EXISTS {{table:rum_events}} {{on_cluster}}
(
    timestamp DateTime64(3, 'UTC'),
    environment LowCardinality(String),
    app LowCardinality(String),
    session_id String,
    page_url String,
    name LowCardinality(String),
    domain LowCardinality(String),
    attributes Map(String, String),
    duration_ms Nullable(Float64)
)
ENGINE = {{engine:MergeTree}}
PARTITION BY toYYYYMM(timestamp)
ORDER BY (environment, app, name, timestamp)
SETTINGS non_replicated_deduplication_window = 1000;

-- Uncaught errors and console.error (Faro reports both as exceptions).
CREATE TABLE IF NOT EXISTS {{table:rum_exceptions}} {{on_cluster}}
(
    timestamp DateTime64(3, 'UTC'),
    environment LowCardinality(String),
    app LowCardinality(String),
    session_id String,
    page_url String,
    type LowCardinality(String),
    value String,
    stacktrace String,
    attributes Map(String, String)
)
ENGINE = {{engine:MergeTree}}
PARTITION BY toYYYYMM(timestamp)
ORDER BY (environment, app, timestamp)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {{table:rum_logs}} {{on_cluster}}
(
    timestamp DateTime64(3, 'UTC'),
    environment LowCardinality(String),
    app LowCardinality(String),
    session_id String,
    page_url String,
    level LowCardinality(String),
    message String,
    attributes Map(String, String)
)
ENGINE = {{engine:MergeTree}}
PARTITION BY toYYYYMM(timestamp)
ORDER BY (environment, app, timestamp)
SETTINGS non_replicated_deduplication_window = 1000;
