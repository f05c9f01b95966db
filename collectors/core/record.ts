import type { AgentIdentity } from './types.ts';

/** One metric sample as the ingest door takes it, serialised once. */
export function metricRecord(id: AgentIdentity, now: number, name: string, value: number, labels?: Record<string, string>): string {
  return JSON.stringify({ timestamp: now, environment: id.environment, host: id.host, name, value, ...(labels ? { labels } : {}) });
}
