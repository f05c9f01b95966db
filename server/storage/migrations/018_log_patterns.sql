-- Learned log patterns (issue 18). The miner reads lines by the time they
-- were stored, so late lines (an agent's spool after an outage) are mined
-- too: `stored_at` is filled by the engine as rows are inserted, with a
-- min-max index so "rows stored since the cursor" skips old granules.
ALTER TABLE {{table:logs}} {{on_cluster}} ADD COLUMN IF NOT EXISTS stored_at DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(Delta, LZ4);

ALTER TABLE logs {{on_cluster}} ADD COLUMN IF NOT EXISTS stored_at DateTime64(3, 'UTC') DEFAULT now64(3);

ALTER TABLE {{table:logs}} {{on_cluster}} ADD INDEX IF NOT EXISTS stored_at_minmax stored_at TYPE minmax GRANULARITY 1;

-- Each pattern once, with its template and where it came from; a template
-- that Drain generalises gets a new id, and the old one points to it.
CREATE TABLE IF NOT EXISTS {{table:log_patterns}} {{on_cluster}}
(
    id String,
    environment LowCardinality(String),
    service LowCardinality(String),
    template String,
    first_seen DateTime64(3, 'UTC'),
    replaced_by String,
    recorded_at DateTime64(3, 'UTC')
)
ENGINE = {{engine:ReplacingMergeTree(recorded_at)}}
ORDER BY (id);

-- Lines per pattern, level and minute (by the line's own time), with an
-- example line each: what the pattern views and rules read.
CREATE TABLE IF NOT EXISTS {{table:log_pattern_counts}} {{on_cluster}}
(
    environment LowCardinality(String),
    service LowCardinality(String),
    level LowCardinality(String),
    pattern String,
    time DateTime('UTC'),
    count SimpleAggregateFunction(sum, UInt64),
    example SimpleAggregateFunction(anyLast, String)
)
ENGINE = {{engine:AggregatingMergeTree}}
PARTITION BY toYYYYMM(time)
ORDER BY (environment, service, level, pattern, time)
SETTINGS non_replicated_deduplication_window = 1000;
