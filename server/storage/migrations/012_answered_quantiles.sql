-- Response-time quantiles of the probe rollups over answered probes only: a
-- failed probe's time (a refused connection in 1 ms, an error page in 7 ms)
-- is not a response time and must not pull a target's p95 down. The -If
-- state has the column's type, so only the views change; rows rolled up
-- before this keep their quantiles.
DROP VIEW IF EXISTS probes_1m_mv {{on_cluster}};

CREATE MATERIALIZED VIEW IF NOT EXISTS probes_1m_mv {{on_cluster}} TO {{table:probes_1m}} AS
SELECT environment, target, toStartOfMinute(timestamp) AS time,
    count() AS count, countIf(ok) AS ok_count, countIf(total_ms > 5000) AS slow_count,
    sum(total_ms) AS sum_ms, min(total_ms) AS min_ms, max(total_ms) AS max_ms,
    quantilesTDigestStateIf(0.5, 0.9, 0.95, 0.99)(total_ms, ok) AS quantiles_ms,
    avgState(dns_ms) AS dns_ms, avgState(connect_ms) AS connect_ms, avgState(tls_ms) AS tls_ms, avgState(ttfb_ms) AS ttfb_ms
FROM {{table:probes}}
GROUP BY environment, target, time;

DROP VIEW IF EXISTS probes_1h_mv {{on_cluster}};

CREATE MATERIALIZED VIEW IF NOT EXISTS probes_1h_mv {{on_cluster}} TO {{table:probes_1h}} AS
SELECT environment, target, toStartOfHour(timestamp) AS time,
    count() AS count, countIf(ok) AS ok_count, countIf(total_ms > 5000) AS slow_count,
    sum(total_ms) AS sum_ms, min(total_ms) AS min_ms, max(total_ms) AS max_ms,
    quantilesTDigestStateIf(0.5, 0.9, 0.95, 0.99)(total_ms, ok) AS quantiles_ms,
    avgState(dns_ms) AS dns_ms, avgState(connect_ms) AS connect_ms, avgState(tls_ms) AS tls_ms, avgState(ttfb_ms) AS ttfb_ms
FROM {{table:probes}}
GROUP BY environment, target, time;
