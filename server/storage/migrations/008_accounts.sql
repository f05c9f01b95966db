-- Personal accounts (items 14, 15). `users` holds each account's newest
-- version (ReplacingMergeTree on `version`, read with FINAL); every change
-- also appends a row to user_events: who, when, what changed — never a
-- password, a hash or a token. A deleted account keeps its id (ids are never
-- reused) with its personal fields blanked.
CREATE TABLE IF NOT EXISTS {{table:users}} {{on_cluster}}
(
    id String,
    version UInt64,
    display_name String,
    family_name String,
    given_name String,
    family_kana String,
    given_kana String,
    email String,
    language LowCardinality(String),
    role LowCardinality(String),
    enabled Bool,
    deleted Bool,
    must_change_password Bool,
    password_hash String,
    password_set_at DateTime64(3, 'UTC'),
    created_at DateTime64(3, 'UTC'),
    last_login_at DateTime64(3, 'UTC')
)
ENGINE = {{engine:ReplacingMergeTree(version)}}
ORDER BY id;

CREATE TABLE IF NOT EXISTS {{table:user_events}} {{on_cluster}}
(
    at DateTime64(3, 'UTC'),
    user_id String,
    action LowCardinality(String),
    actor String,
    actor_role LowCardinality(String),
    detail String
)
ENGINE = {{engine:MergeTree}}
ORDER BY (user_id, at);

-- Sign-in sessions, by a SHA-256 of their cookie (the cookie itself is
-- never stored); a newer version only moves last_seen_at. A session ends by
-- its idle or absolute timeout, or by a row in session_ends (sign-out, its
-- user disabled, deleted, re-roled or given a new password): an end is
-- appended, never overwritten, so no late write can bring a session back.
CREATE TABLE IF NOT EXISTS {{table:sessions}} {{on_cluster}}
(
    id String,
    version UInt64,
    user_id String,
    created_at DateTime64(3, 'UTC'),
    last_seen_at DateTime64(3, 'UTC'),
    expires_at DateTime64(3, 'UTC'),
    address String,
    user_agent String
)
ENGINE = {{engine:ReplacingMergeTree(version)}}
ORDER BY id
TTL toDateTime(expires_at) + INTERVAL 30 DAY;

CREATE TABLE IF NOT EXISTS {{table:session_ends}} {{on_cluster}}
(
    id String,
    user_id String,
    at DateTime64(3, 'UTC'),
    reason LowCardinality(String)
)
ENGINE = {{engine:MergeTree}}
ORDER BY id
TTL toDateTime(at) + INTERVAL 400 DAY;

-- Every sign-in attempt, for the lockout (failures per account) and review.
CREATE TABLE IF NOT EXISTS {{table:login_attempts}} {{on_cluster}}
(
    at DateTime64(3, 'UTC'),
    user_id String,
    address String,
    ok Bool,
    reason LowCardinality(String)
)
ENGINE = {{engine:MergeTree}}
ORDER BY (user_id, at)
TTL toDateTime(at) + INTERVAL 400 DAY;
