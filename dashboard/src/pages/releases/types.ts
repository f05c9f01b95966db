// What /api/v1/releases answers (server/releases/views.ts).
export type Decision = 'go' | 'no_go' | 'go_with_conditions';

export interface Criterion {
  name: 'p95_ms' | 'error_rate_percent' | 'checks_percent';
  value: number | null;
  limit: number;
  verdict: 'pass' | 'fail';
}

export interface RunView {
  id: string;
  uploaded_at: string;
  uploaded_by: string;
  file_name: string;
  format: string;
  verdict: 'pass' | 'fail';
  criteria: Criterion[];
  thresholds: { metric: string; expression: string; ok: boolean | null }[];
  compared_with: { release: string; changes: { name: string; current: number | null; previous: number | null; change_percent: number | null; regression: boolean }[] } | null;
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
