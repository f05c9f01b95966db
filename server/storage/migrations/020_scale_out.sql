-- Scale-out (issue 19). A primary learns of rows that replicas ingested by
-- reading them back from the tables, in the order they were stored: probes
-- and metrics get the `stored_at` logs already have (filled by the engine as
-- rows are inserted, min-max indexed so "stored since the cursor" skips old
-- granules). Existing rows get the time of this migration's first read.
ALTER TABLE {{table:probes}} {{on_cluster}} ADD COLUMN IF NOT EXISTS stored_at DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(Delta, LZ4);

ALTER TABLE probes {{on_cluster}} ADD COLUMN IF NOT EXISTS stored_at DateTime64(3, 'UTC') DEFAULT now64(3);

ALTER TABLE {{table:probes}} {{on_cluster}} ADD INDEX IF NOT EXISTS stored_at_minmax stored_at TYPE minmax GRANULARITY 1;

ALTER TABLE {{table:metrics}} {{on_cluster}} ADD COLUMN IF NOT EXISTS stored_at DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(Delta, LZ4);

ALTER TABLE metrics {{on_cluster}} ADD COLUMN IF NOT EXISTS stored_at DateTime64(3, 'UTC') DEFAULT now64(3);

ALTER TABLE {{table:metrics}} {{on_cluster}} ADD INDEX IF NOT EXISTS stored_at_minmax stored_at TYPE minmax GRANULARITY 1;

-- Audit entries of replicas wait here until the primary, the one writer of
-- the chain, seals them into audit_log in the order they were queued.
-- An entry is durable once queued (the replica answers then); the primary
-- keeps how far it has sealed in <data>/audit-queue-cursor.
CREATE TABLE IF NOT EXISTS {{table:audit_queue}} {{on_cluster}}
(
    queued_at DateTime64(3, 'UTC') DEFAULT now64(3),
    id String,
    instance LowCardinality(String),
    fields String
)
ENGINE = {{engine:MergeTree}}
ORDER BY (queued_at, id)
TTL toDateTime(queued_at) + INTERVAL 30 DAY;
