-- The audit trail (items 15, 16): who acted, as what, when, from where,
-- what they did to what, and how it ended. Append-only; each entry carries
-- the SHA-256 of the one before, so an altered, removed or forged entry
-- breaks the chain (mimamori audit verify). Entries arrive through their own
-- write-ahead log: `audit_log_ingest` (Null) and its view, like telemetry.
-- No TTL: the foundation keeps this.
CREATE TABLE IF NOT EXISTS {{table:audit_log}} {{on_cluster}}
(
    seq UInt64,
    at DateTime64(3, 'UTC'),
    actor String,
    role LowCardinality(String),
    via LowCardinality(String),
    address String,
    action LowCardinality(String),
    object String,
    result LowCardinality(String),
    status UInt16,
    detail String,
    prev_hash String,
    hash String
)
ENGINE = {{engine:MergeTree}}
ORDER BY seq
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {{table:audit_log_ingest}} {{on_cluster}}
(
    seq UInt64,
    at UInt64,
    actor String,
    role String,
    via String,
    address String,
    action String,
    object String,
    result String,
    status UInt16,
    detail String,
    prev_hash String,
    hash String
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS audit_log_ingest_mv {{on_cluster}} TO {{table:audit_log}} AS
SELECT seq, fromUnixTimestamp64Milli(toInt64(at), 'UTC') AS at, actor, role, via, address, action, object, result, status, detail, prev_hash, hash
FROM {{table:audit_log_ingest}};
