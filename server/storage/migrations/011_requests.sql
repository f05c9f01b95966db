-- Four-eyes requests (item 16): exports of raw rows, deletions of data and
-- shorter retention wait for a second person. Append-only: created, then
-- approved or rejected or expired, then ran or failed, then each download,
-- then the export's files deleted. Current state is a fold of the events.
CREATE TABLE IF NOT EXISTS {{table:request_events}} {{on_cluster}}
(
    at DateTime64(3, 'UTC'),
    id String,
    event LowCardinality(String),
    actor String,
    role LowCardinality(String),
    operation LowCardinality(String),
    params String,
    reason String,
    detail String
)
ENGINE = {{engine:MergeTree}}
ORDER BY (id, at);

-- Confidential data handed over (item 16): when, from whom, to whom, what,
-- by what means, and when it came back. Append-only: recorded, then returned.
CREATE TABLE IF NOT EXISTS {{table:handover_events}} {{on_cluster}}
(
    at DateTime64(3, 'UTC'),
    id String,
    event LowCardinality(String),
    actor String,
    handed_on Date,
    from_party String,
    to_party String,
    content String,
    means String,
    returned_on Nullable(Date),
    note String
)
ENGINE = {{engine:MergeTree}}
ORDER BY (id, at);
