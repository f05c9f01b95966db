import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Mimamori's own metrics (item 19), one registry per app so tests stay isolated. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'mimamori_' });
  const kind = ['kind'] as const;
  return {
    registry,
    ingestRows: new Counter({ name: 'mimamori_ingest_rows_total', help: 'Rows accepted by ingest', labelNames: kind, registers: [registry] }),
    ingestBytes: new Counter({ name: 'mimamori_ingest_bytes_total', help: 'Uncompressed bytes accepted by ingest', labelNames: kind, registers: [registry] }),
    ingestBatches: new Counter({ name: 'mimamori_ingest_batches_total', help: 'Ingest requests accepted', labelNames: kind, registers: [registry] }),
    ingestDuplicates: new Counter({ name: 'mimamori_ingest_duplicate_batches_total', help: 'Requests answered from an earlier Idempotency-Key', labelNames: kind, registers: [registry] }),
    ingestRejected: new Counter({ name: 'mimamori_ingest_rejected_batches_total', help: 'Ingest requests refused, by reason', labelNames: ['kind', 'reason'], registers: [registry] }),
    ingestWriteSeconds: new Histogram({
      name: 'mimamori_ingest_write_seconds',
      help: 'Time from a validated request to its durable write-ahead log entry',
      labelNames: kind,
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2],
      registers: [registry],
    }),
    storageLoadSeconds: new Histogram({
      name: 'mimamori_storage_load_seconds',
      help: 'Time to load one write-ahead log segment into ClickHouse',
      labelNames: kind,
      buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      registers: [registry],
    }),
    storageLoadedRows: new Counter({ name: 'mimamori_storage_loaded_rows_total', help: 'Rows loaded into ClickHouse', labelNames: kind, registers: [registry] }),
    storageRetries: new Counter({ name: 'mimamori_storage_load_retries_total', help: 'Segment loads that failed and will be retried', labelNames: kind, registers: [registry] }),
    storageSetAside: new Counter({ name: 'mimamori_storage_set_aside_rows_total', help: 'Acknowledged rows the database refused, set aside in wal/<kind>/failed, by the ingest token that sent them', labelNames: ['kind', 'token'], registers: [registry] }),
    oldestUnloaded: new Gauge({ name: 'mimamori_ingest_oldest_unloaded_seconds', help: 'Age of the oldest accepted row not yet loaded into ClickHouse (0 when none waits)', labelNames: kind, registers: [registry] }),
    loaderStalled: new Gauge({ name: 'mimamori_ingest_loader_stalled_seconds', help: 'How long the loader has made no progress while accepted rows wait (0 when none waits)', labelNames: kind, registers: [registry] }),
    ruleEvaluationSeconds: new Histogram({ name: 'mimamori_rule_evaluation_seconds', help: 'Time of one evaluation of the rules', labelNames: ['scope'], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5], registers: [registry] }),
    ruleErrors: new Counter({ name: 'mimamori_rule_evaluation_errors_total', help: 'Rule batches whose query failed', registers: [registry] }),
    alertTransitions: new Counter({ name: 'mimamori_alert_transitions_total', help: 'Alert state changes', labelNames: ['state'], registers: [registry] }),
    wallRequests: new Counter({ name: 'mimamori_wall_requests_total', help: 'GET /api/v1/wall answers, by source: the live document (built < 1 s ago) or a build it waited for', labelNames: ['source'], registers: [registry] }),
    notificationsSent: new Counter({ name: 'mimamori_notifications_sent_total', help: 'Messages a channel accepted', labelNames: ['channel', 'purpose'], registers: [registry] }),
    notificationFailures: new Counter({ name: 'mimamori_notification_failures_total', help: 'Failed sends, by whether they will be retried', labelNames: ['channel', 'retry'], registers: [registry] }),
    patternsLag: new Gauge({ name: 'mimamori_patterns_miner_lag_seconds', help: 'How far the log-pattern miner is behind: now minus the store time it has mined up to (0 before any line)', registers: [registry] }),
    patternsMined: new Gauge({ name: 'mimamori_patterns_mined_lines', help: 'Log lines mined into patterns since the server started', registers: [registry] }),
    role: new Gauge({ name: 'mimamori_role', help: 'This instance’s role (MIMAMORI_ROLE): 1 for the role it runs as', labelNames: ['role'], registers: [registry] }),
    component: new Gauge({ name: 'mimamori_component_running', help: 'Background work this instance runs (1) or leaves to another instance (0): evaluator, mailer, escalation, miner, approvals, account_review, follower, audit_sealer', labelNames: ['component'], registers: [registry] }),
    followed: new Counter({ name: 'mimamori_follower_announced_rows_total', help: 'Rows stored by any instance that this one read back and announced to its rules and wall (roles primary and replica)', labelNames: kind, registers: [registry] }),
    queueBytes: new Gauge({ name: 'mimamori_ingest_queue_bytes', help: 'Bytes accepted but not yet loaded into ClickHouse (batch queue depth)', labelNames: kind, registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
