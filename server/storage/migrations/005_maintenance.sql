-- Planned maintenance windows created or cancelled through the API, as an
-- append-only log: one row per change with who made it and when. The
-- calendar folds these rows into the current windows at start-up, so a
-- cancelled window keeps its history (and its audit trail) forever; windows
-- from the config file are not stored here, except when one of their
-- occurrences is cancelled. No TTL: the log is small and is the record of
-- why minutes were left out of availability.

CREATE TABLE IF NOT EXISTS {{table:maintenance_events}} {{on_cluster}}
(
    at DateTime64(3, 'UTC'),
    window_id String,
    event LowCardinality(String),
    actor String,
    actor_role LowCardinality(String),
    name String,
    starts_at DateTime64(3, 'UTC'),
    ends_at DateTime64(3, 'UTC'),
    environments Array(String),
    targets Array(String),
    message_ja String,
    message_en String
)
ENGINE = {{engine:MergeTree}}
ORDER BY (at, window_id)
SETTINGS non_replicated_deduplication_window = 1000;
