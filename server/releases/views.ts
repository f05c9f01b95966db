import type { Release, StoredRun } from './book.ts';
import type { Change, Judgement } from './judgement.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** A run as the API answers it: its figures, the judgement against the criteria, and (on a release) the comparison with the previous release. */
export function runView(stored: StoredRun, judgement: Judgement) {
  const r = stored.run;
  return {
    id: stored.id,
    uploaded_at: iso(stored.at),
    uploaded_by: stored.uploadedBy,
    environment: stored.environment,
    file_name: stored.fileName,
    format: r.format,
    release: stored.releaseId,
    requests: r.requests,
    request_rate: r.requestRate,
    duration_ms: r.durationMs,
    failed_rate: r.failedRate,
    checks: r.checks,
    iterations: r.iterations,
    vus_max: r.vusMax,
    test_duration_ms: r.testDurationMs,
    // The judgement as it is (verdict, criteria, thresholds, k6's own verdict, notes), as the upload answers it.
    ...judgement,
  };
}

export type RunView = ReturnType<typeof runView> & { compared_with: { release: string; run_id: string; changes: Change[] } | null };

export function releaseView(release: Release, runs: RunView[]) {
  const decision = release.decisions[release.decisions.length - 1];
  return {
    id: release.id,
    environment: release.environment,
    version: release.version,
    summary: release.summary,
    link: release.link || null,
    released_at: iso(release.releasedAt),
    created_by: release.createdBy,
    created_at: iso(release.createdAt),
    runs,
    /** The standing decision (the last), or null while undecided. */
    decision: decision ? { decision: decision.decision, comment: decision.comment, by: decision.by, role: decision.role, at: iso(decision.at) } : null,
    decisions: release.decisions.map((d) => ({ decision: d.decision, comment: d.comment, by: d.by, role: d.role, at: iso(d.at) })),
  };
}

export type ReleaseView = ReturnType<typeof releaseView>;
