// Staged load against one page of the monitored system, judged by the
// release SLO (thresholds.ts). Run with:
//   k6 run -e TARGET_URL=https://www.example.org/ -e KEYWORD=Welcome -e ENVIRONMENT=staging loadtests/target-slo.ts
import http from 'k6/http';
import type { RefinedResponse } from 'k6/http';
import { check, sleep } from 'k6';
import type { Options } from 'k6/options';
import { parseStages, requiredEnv } from './env.ts';
import { summaryTrendStats, thresholds } from './thresholds.ts';

export { handleSummary } from './summary.ts';

/** Ramp to 10 VUs over 30 s, hold for a minute, ramp down. */
export const DEFAULT_STAGES = '30s:10,1m:10,30s:0';

const TARGET_URL = requiredEnv('TARGET_URL', 'the address of the page to load, e.g. https://www.example.org/');
const KEYWORD = __ENV.KEYWORD ?? '';
const ENVIRONMENT = __ENV.ENVIRONMENT ?? '';

export const options: Options = {
  stages: parseStages(__ENV.STAGES || DEFAULT_STAGES),
  thresholds,
  summaryTrendStats,
  // Every metric carries the environment, so a run's data can be told apart from another's.
  ...(ENVIRONMENT ? { tags: { environment: ENVIRONMENT } } : {}),
};

type Page = RefinedResponse<'text'>;
const checks: Record<string, (r: Page) => boolean> = { 'status is 200': (r) => r.status === 200 };
// The page can answer 200 with an error text; the keyword proves it is the real page.
if (KEYWORD) checks[`body contains ${JSON.stringify(KEYWORD)}`] = (r) => typeof r.body === 'string' && r.body.includes(KEYWORD);

export default function (): void {
  const res = http.get(TARGET_URL, { tags: { name: 'target' }, responseType: 'text' });
  check(res, checks);
  sleep(1);
}
