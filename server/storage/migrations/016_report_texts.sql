-- The texts an operator writes into reports (issue 16): capacity-review
-- proposals (item 18) and the annual improvement plan (item 9). Append-only:
-- every save is a new version, and marking one "proposed to the foundation"
-- or "issued" is one more; who and when are on each row, the text of every
-- version stays readable. Current state is the highest version of an id.
CREATE TABLE IF NOT EXISTS {{table:report_text_versions}} {{on_cluster}}
(
    at DateTime64(3, 'UTC'),
    id String,
    version UInt32,
    kind LowCardinality(String),
    environment LowCardinality(String),
    subject String,
    status LowCardinality(String),
    text_ja String,
    text_en String,
    figures String,
    actor String
)
ENGINE = {{engine:ReplacingMergeTree(version)}}
ORDER BY (id, version);
