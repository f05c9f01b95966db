-- Releases (item 10) and their go/no-go from the test-result report (item
-- 11). Append-only: a release is created, k6 runs are attached to it, and
-- an approver decides (go, no-go, go with conditions; a later decision adds
-- a row, it never replaces one). Current state is a fold of the events.
CREATE TABLE IF NOT EXISTS {{table:release_events}} {{on_cluster}}
(
    at DateTime64(3, 'UTC'),
    id String,
    event LowCardinality(String),
    actor String,
    role LowCardinality(String),
    environment LowCardinality(String),
    version String,
    summary String,
    link String,
    released_at DateTime64(3, 'UTC'),
    run_id String,
    decision LowCardinality(String),
    comment String
)
ENGINE = {{engine:MergeTree}}
ORDER BY (id, at);

-- One row per uploaded k6 run: its figures as Mimamori read them from the
-- summary export, the handleSummary object or the --out json lines. Which
-- release it belongs to is a release event, not a change to this row.
CREATE TABLE IF NOT EXISTS {{table:loadtest_runs}} {{on_cluster}}
(
    at DateTime64(3, 'UTC'),
    id String,
    uploaded_by String,
    environment LowCardinality(String),
    format LowCardinality(String),
    file_name String,
    run String
)
ENGINE = {{engine:MergeTree}}
ORDER BY (id, at);
