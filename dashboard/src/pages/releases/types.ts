// What /api/v1/releases answers (server/releases/views.ts).
import type { Change, Criterion, JudgedThreshold } from '../../../../server/releases/judgement.ts';
import type { K6Note } from '../../../../server/releases/k6/model.ts';

export type { Change, Criterion };
export type Decision = 'go' | 'no_go' | 'go_with_conditions';

export interface RunView {
  id: string;
  uploaded_at: string;
  uploaded_by: string;
  file_name: string;
  format: string;
  verdict: 'pass' | 'fail';
  criteria: Criterion[];
  /** Each k6 threshold with Mimamori's verdict: one it could not judge fails (`reason`). */
  thresholds: JudgedThreshold[];
  /** k6's own verdict on the whole run, where the file carries one (the machine-readable summary). */
  k6_passed: boolean | null;
  notes: K6Note[];
  compared_with: { release: string; run_id: string; changes: Change[] } | null;
}

/** A run not attached to a release yet (GET /api/v1/loadtests), e.g. posted by CI with an ingest token. */
export interface WaitingRun extends Omit<RunView, 'compared_with'> {
  environment: string;
}

export interface DecisionView {
  decision: Decision;
  comment: string;
  by: string;
  at: string;
}

export interface ReleaseView {
  id: string;
  environment: string;
  version: string;
  summary: string;
  link: string | null;
  released_at: string;
  created_by: string;
  runs: RunView[];
  decision: DecisionView | null;
  decisions: DecisionView[];
}

/** Uploads a k6 result file as it is (the server reads it streaming); `release` attaches it at once. */
export async function uploadRun(file: File, release: string, csrfToken: string): Promise<{ id: string; verdict: string }> {
  const gzip = file.name.endsWith('.gz');
  const res = await fetch(`/api/v1/loadtests?release=${encodeURIComponent(release)}&name=${encodeURIComponent(file.name)}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': csrfToken, ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
    body: file,
  });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(answer.message ?? res.statusText);
  return answer;
}
