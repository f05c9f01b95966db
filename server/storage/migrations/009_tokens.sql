-- Tokens held by programs (items 13, 15): personal API tokens (scripts and
-- the CLI, carrying their owner's role or lower), display tokens (wall
-- screens: the wall only) and ingest tokens (agents). Only a SHA-256 of the
-- secret part is stored; the token is shown once. A token is never changed:
-- revocation is an appended row, and last use is kept apart, so no late
-- write can bring a revoked token back.
CREATE TABLE IF NOT EXISTS {{table:api_tokens}} {{on_cluster}}
(
    id String,
    kind LowCardinality(String),
    name String,
    owner String,
    role LowCardinality(String),
    secret_hash String,
    created_at DateTime64(3, 'UTC'),
    created_by String
)
ENGINE = {{engine:ReplacingMergeTree}}
ORDER BY id;

CREATE TABLE IF NOT EXISTS {{table:token_revocations}} {{on_cluster}}
(
    id String,
    at DateTime64(3, 'UTC'),
    actor String,
    reason LowCardinality(String)
)
ENGINE = {{engine:MergeTree}}
ORDER BY id;

CREATE TABLE IF NOT EXISTS {{table:token_uses}} {{on_cluster}}
(
    id String,
    last_used_at DateTime64(3, 'UTC'),
    address String
)
ENGINE = {{engine:ReplacingMergeTree(last_used_at)}}
ORDER BY id;
