-- Silences: hold back notifications of matching alerts until a time, with
-- a comment and who set them. Append-only: created, then maybe expired early.
CREATE TABLE IF NOT EXISTS {{table:silence_events}} {{on_cluster}}
(
    at DateTime64(3, 'UTC'),
    silence String,
    event LowCardinality(String),
    actor String,
    actor_role LowCardinality(String),
    matchers Map(String, String),
    ends_at DateTime64(3, 'UTC'),
    comment String
)
ENGINE = {{engine:MergeTree}}
ORDER BY (silence, at);
