-- Known incidents (issue 18): when a ticket is closed, the alert
-- fingerprints and the unusual error patterns seen around its detection are
-- linked to it, with a summary of the ticket (title, root cause, fixes,
-- workarounds applied) so the links still explain themselves after a
-- hand-over into an instance without that ledger. One `closed` row marks a
-- ticket as linked even when nothing was seen around it. `origin` is empty
-- for this instance's tickets and names the learned state that brought the
-- others (their numbers belong to another ledger and may repeat here).
CREATE TABLE IF NOT EXISTS {{table:incident_links}} {{on_cluster}}
(
    origin String,
    ticket String,
    environment LowCardinality(String),
    kind LowCardinality(String),
    key String,
    service LowCardinality(String),
    label String,
    count UInt64,
    summary String,
    linked_at DateTime64(3, 'UTC'),
    linked_by LowCardinality(String)
)
ENGINE = {{engine:ReplacingMergeTree(linked_at)}}
ORDER BY (origin, ticket, kind, key)
SETTINGS non_replicated_deduplication_window = 1000;
