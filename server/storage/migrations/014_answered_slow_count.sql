-- slow_count counts answered probes over the 5 s target only, as the
-- quantiles do since 012: a probe that failed after 6 s (a timeout) is a
-- failure, not a slow answer. The monthly report's SLO then counts a probe
-- as good when it answered within 5 s, from the rollups alone:
-- good = ok_count - slow_count. Rows rolled up before this counted failed
-- slow probes in both, so those months count a few failures twice (they
-- read slightly worse, never better).
DROP VIEW IF EXISTS probes_1m_mv {{on_cluster}};

CREATE MATERIALIZED VIEW IF NOT EXISTS probes_1m_mv {{on_cluster}} TO {{table:probes_1m}} AS
SELECT environment, target, toStartOfMinute(timestamp) AS time,
    count() AS count, countIf(ok) AS ok_count, countIf(ok AND total_ms > 5000) AS slow_count,
    sum(total_ms) AS sum_ms, min(total_ms) AS min_ms, max(total_ms) AS max_ms,
    quantilesTDigestStateIf(0.5, 0.9, 0.95, 0.99)(total_ms, ok) AS quantiles_ms,
    avgState(dns_ms) AS dns_ms, avgState(connect_ms) AS connect_ms, avgState(tls_ms) AS tls_ms, avgState(ttfb_ms) AS ttfb_ms
FROM {{table:probes}}
GROUP BY environment, target, time;

DROP VIEW IF EXISTS probes_1h_mv {{on_cluster}};

CREATE MATERIALIZED VIEW IF NOT EXISTS probes_1h_mv {{on_cluster}} TO {{table:probes_1h}} AS
SELECT environment, target, toStartOfHour(timestamp) AS time,
    count() AS count, countIf(ok) AS ok_count, countIf(ok AND total_ms > 5000) AS slow_count,
    sum(total_ms) AS sum_ms, min(total_ms) AS min_ms, max(total_ms) AS max_ms,
    quantilesTDigestStateIf(0.5, 0.9, 0.95, 0.99)(total_ms, ok) AS quantiles_ms,
    avgState(dns_ms) AS dns_ms, avgState(connect_ms) AS connect_ms, avgState(tls_ms) AS tls_ms, avgState(ttfb_ms) AS ttfb_ms
FROM {{table:probes}}
GROUP BY environment, target, time;
