// The release criteria every script shares (the SLO Mimamori judges a release
// against: p95 under 5 s, under 1 % failed requests, at least 99 % checks passed).
// Each expression is one server/releases/k6/thresholds.ts accepts, so the
// run Mimamori receives is judged on the same terms as k6 judged it: the
// same strictness too (checks at exactly 99 % pass both: >=, as the
// criterion's ≥ 99 %).

export const thresholds: Record<string, string[]> = {
  http_req_duration: ['p(95)<5000'],
  http_req_failed: ['rate<0.01'],
  checks: ['rate>=0.99'],
};

// p(99) on top of k6's default stats: the release report shows p50/p95/p99.
export const summaryTrendStats: string[] = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];
