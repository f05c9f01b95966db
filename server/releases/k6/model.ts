// What Mimamori keeps of one k6 run, whichever of k6's three result
// formats it came in. Figures a file does not carry are null, never 0.

export interface K6Run {
  /** As detected: --summary-export, the handleSummary object, the machine-readable summary (k6 ≥ 1.5), or --out json lines. */
  format: 'summary-export' | 'handle-summary' | 'machine-summary' | 'json-lines';
  /** http_reqs count. */
  requests: number | null;
  /** http_reqs per second over the whole run. */
  requestRate: number | null;
  /** http_req_duration in milliseconds; a percentile the file does not carry is null. */
  durationMs: { avg: number; med: number | null; p90: number | null; p95: number | null; p99: number | null; min: number; max: number } | null;
  /** http_req_failed as a fraction (0.01 is 1 %). */
  failedRate: number | null;
  /** Per check name, summed over the groups it appears in. */
  checks: { name: string; passes: number; fails: number }[];
  iterations: number | null;
  vusMax: number | null;
  testDurationMs: number | null;
  /** ok: true passed, false crossed, null could not be judged. */
  thresholds: { metric: string; expression: string; ok: boolean | null }[];
  /** k6's own verdict on the whole run, where the file carries one (the machine-readable summary's results.passed); absent in runs stored before it was read. */
  k6Passed?: boolean | null;
  /** What the file could not tell Mimamori (absent in runs stored before notes were kept). */
  notes?: K6Note[];
}

/**
 * `submetric_thresholds_unseen`: --out json declares a metric's own
 * thresholds on its Metric line, but never those on a sub-metric (e.g.
 * http_req_duration{scenario:ingest}); `submetrics` names the sub-metrics
 * the file lists (those thresholds may sit on), when it lists any.
 */
export interface K6Note {
  code: 'submetric_thresholds_unseen';
  submetrics: string[];
}

/** A k6 result Mimamori refuses: the client's mistake (400), naming the field or line that is wrong. */
export class K6FormatError extends Error {
  constructor(
    message: string,
    readonly field: string,
    /** 1-based line of a --out json file, when the fault is on one line. */
    readonly line?: number,
  ) {
    super(message);
    this.name = 'K6FormatError';
  }
}
