-- Alerting records. All append-only: a change is a new row with who and
-- when; current state is a fold (rules/alert-store.ts, ledger/, notify/).
-- No TTL: these are the audit trail the foundation reviews.

-- Alert state transitions per fingerprint (rule + labels). A restart
-- resumes from the newest row of each fingerprint.
CREATE TABLE IF NOT EXISTS {{table:alert_events}} {{on_cluster}}
(
    at DateTime64(3, 'UTC'),
    fingerprint String,
    rule LowCardinality(String),
    kind LowCardinality(String),
    severity LowCardinality(String),
    environment LowCardinality(String),
    labels Map(String, String),
    state LowCardinality(String),
    since DateTime64(3, 'UTC'),
    value Float64,
    threshold Float64,
    provisional Bool
)
ENGINE = {{engine:MergeTree}}
PARTITION BY toYYYYMM(at)
ORDER BY (fingerprint, at);

-- The notification log: every message queued, sent, retried, given up or
-- suppressed, with the alert keys it covers. Read before sending (dedup),
-- written after; a queued message without a later row is resent on start.
CREATE TABLE IF NOT EXISTS {{table:notifications}} {{on_cluster}}
(
    at DateTime64(3, 'UTC'),
    id String,
    status LowCardinality(String),
    purpose LowCardinality(String),
    channel LowCardinality(String),
    recipient LowCardinality(String),
    group_key String,
    alert_keys Array(String),
    ticket String,
    subject String,
    text String,
    json String,
    attempt UInt16,
    reason String
)
ENGINE = {{engine:MergeTree}}
PARTITION BY toYYYYMM(at)
ORDER BY (id, at);

-- The incident ledger: one row per change of a ticket, with who and when.
CREATE TABLE IF NOT EXISTS {{table:ticket_events}} {{on_cluster}}
(
    at DateTime64(3, 'UTC'),
    ticket String,
    seq UInt32,
    type LowCardinality(String),
    actor String,
    actor_role LowCardinality(String),
    data String
)
ENGINE = {{engine:MergeTree}}
ORDER BY (ticket, seq);

-- The workaround catalogue: versions and approvals of each procedure.
CREATE TABLE IF NOT EXISTS {{table:workaround_events}} {{on_cluster}}
(
    at DateTime64(3, 'UTC'),
    workaround String,
    version UInt32,
    type LowCardinality(String),
    actor String,
    actor_role LowCardinality(String),
    data String
)
ENGINE = {{engine:MergeTree}}
ORDER BY (workaround, version, at);
