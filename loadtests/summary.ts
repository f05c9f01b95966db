// The end of every script's run: the summary data object to Mimamori, when
// MIMAMORI_URL and MIMAMORI_INGEST_TOKEN are set, and k6's text report to stdout.
// The run is uploaded unattached: an ingest token may upload, but attaching a
// run to a release needs a person (Mimamori answers 403 to ?release= with an
// ingest token), so an operator attaches it on the release page.
//
// An exported handleSummary() replaces k6's own end-of-test report (k6 docs,
// "Custom summary", v1.x and v2.3.x): what it returns under `stdout` is all
// that is printed. textSummary() from jslib is what the docs give to keep a
// text report; it draws the pre-v1 layout, not v1/v2's compact one.
import http from 'k6/http';
import { textSummary } from 'https://jslib.k6.io/k6-summary/0.0.2/index.js';

type Env = Record<string, string | undefined>;

/** POST /api/v1/loadtests (?environment=; never ?release=, see above), or null when the run is not to be sent. */
export function uploadUrl(env: Env): string | null {
  const base = env.MIMAMORI_URL?.replace(/\/+$/, '');
  if (!base || !env.MIMAMORI_INGEST_TOKEN) return null;
  return `${base}/api/v1/loadtests${env.ENVIRONMENT ? `?environment=${encodeURIComponent(env.ENVIRONMENT)}` : ''}`;
}

/** Sends the data object; one line saying what Mimamori answered. */
function upload(url: string, token: string, data: object): string {
  const res = http.post(url, JSON.stringify(data), {
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    tags: { name: 'mimamori-summary-upload' },
  });
  let answer: { id?: string; verdict?: string; message?: string } = {};
  try {
    answer = JSON.parse(typeof res.body === 'string' ? res.body : '') as typeof answer;
  } catch {
    // not JSON (a proxy's error page): the status says enough
  }
  if (res.status === 201) return `Mimamori: stored as ${answer.id} (verdict ${answer.verdict}); attach it to its release on the release page`;
  return `Mimamori did not store the summary: ${res.status || res.error} ${answer.message ?? ''}`.trimEnd();
}

export function handleSummary(data: object): Record<string, string> {
  const url = uploadUrl(__ENV);
  const report = textSummary(data, { indent: ' ', enableColors: true });
  if (!url) return { stdout: report };
  return { stdout: `${report}\n\n${upload(url, __ENV.MIMAMORI_INGEST_TOKEN ?? '', data)}\n` };
}
