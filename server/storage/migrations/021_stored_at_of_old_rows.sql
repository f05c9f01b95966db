-- `stored_at` (logs: 018; probes, metrics: 020) was added with DEFAULT
-- now64(3). Parts written before it hold no value: reading them computes
-- the default anew each time, and a merge writes the merge's own time into
-- them, so old rows would look freshly stored to the pattern miner and to
-- the follower (and be mined or announced again). They get the epoch
-- instead, written into those parts now (only parts lacking the column are
-- touched; the statement waits until it is done, on every replica), and the
-- default goes back to now64(3) for new rows. Migrations run before the
-- server takes rows, so no insert sees the epoch default in between.
ALTER TABLE {{table:logs}} {{on_cluster}} MODIFY COLUMN stored_at DateTime64(3, 'UTC') DEFAULT toDateTime64(0, 3, 'UTC') CODEC(Delta, LZ4);

ALTER TABLE {{table:logs}} {{on_cluster}} MATERIALIZE COLUMN stored_at SETTINGS mutations_sync = 2;

ALTER TABLE {{table:logs}} {{on_cluster}} MODIFY COLUMN stored_at DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(Delta, LZ4);

ALTER TABLE {{table:probes}} {{on_cluster}} MODIFY COLUMN stored_at DateTime64(3, 'UTC') DEFAULT toDateTime64(0, 3, 'UTC') CODEC(Delta, LZ4);

ALTER TABLE {{table:probes}} {{on_cluster}} MATERIALIZE COLUMN stored_at SETTINGS mutations_sync = 2;

ALTER TABLE {{table:probes}} {{on_cluster}} MODIFY COLUMN stored_at DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(Delta, LZ4);

ALTER TABLE {{table:metrics}} {{on_cluster}} MODIFY COLUMN stored_at DateTime64(3, 'UTC') DEFAULT toDateTime64(0, 3, 'UTC') CODEC(Delta, LZ4);

ALTER TABLE {{table:metrics}} {{on_cluster}} MATERIALIZE COLUMN stored_at SETTINGS mutations_sync = 2;

ALTER TABLE {{table:metrics}} {{on_cluster}} MODIFY COLUMN stored_at DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(Delta, LZ4);
