// k6's machine-readable end-of-test summary (grafana/k6-summary schema 1.x):
// what --summary-export writes, and handleSummary receives, when k6 ≥ 1.5
// runs with --new-machine-readable-summary (still opt-in in v2.0–2.3).
// { version, metadata, config: { duration (s) }, results: { passed,
// metrics: [{ name, type, contains, values }], checks: { results: [...] } } }.
// It carries k6's overall verdict (results.passed: false when a threshold
// was crossed) but no per-threshold results; the verdict is kept as k6Passed.

import { K6FormatError, type K6Run } from './model.ts';
import { CheckTally, isObject, optionalCount, readStats, requiredCount, runFromMetrics, type Json, type SummaryMetric } from './summary-fields.ts';

export function isMachineReadable(doc: Json): boolean {
  return doc.metrics === undefined && isObject(doc.results) && Array.isArray(doc.results.metrics);
}

export function readMachineReadable(doc: Json): K6Run {
  const results = doc.results as Json;
  const byName = new Map<string, SummaryMetric>();
  (results.metrics as unknown[]).forEach((raw, i) => {
    const path = `results.metrics[${i}]`;
    if (!isObject(raw)) throw new K6FormatError(`${path} is not an object`, path);
    if (typeof raw.name !== 'string') throw new K6FormatError(`${path}.name is not a string`, `${path}.name`);
    const stats = readStats(raw.values, `${path}.values`);
    // An early draft of the schema counted a rate metric as matches of total.
    if (stats.passes === undefined && stats.matches !== undefined && stats.total !== undefined) {
      if (stats.matches > stats.total) throw new K6FormatError(`${path}.values.matches is more than total`, `${path}.values.matches`);
      stats.passes = stats.matches;
      stats.fails = stats.total - stats.matches;
    }
    byName.set(raw.name, { stats, thresholds: [] });
  });
  const tally = new CheckTally();
  if (results.checks !== undefined && results.checks !== null) {
    if (!isObject(results.checks)) throw new K6FormatError('results.checks is not an object', 'results.checks');
    // The schema says `results`; its published example says `orderedChecks`.
    const key = results.checks.results !== undefined ? 'results' : 'orderedChecks';
    const list = results.checks[key] ?? [];
    if (!Array.isArray(list)) throw new K6FormatError(`results.checks.${key} is not a list`, `results.checks.${key}`);
    list.forEach((check: unknown, i) => {
      const at = `results.checks.${key}[${i}]`;
      if (!isObject(check) || typeof check.name !== 'string') throw new K6FormatError(`${at} has no name`, `${at}.name`);
      tally.add(check.name, requiredCount(check.passes, `${at}.passes`), requiredCount(check.fails, `${at}.fails`));
    });
  }
  let statedMs: number | undefined;
  if (doc.config !== undefined && doc.config !== null) {
    if (!isObject(doc.config)) throw new K6FormatError('config is not an object', 'config');
    const seconds = optionalCount(doc.config.duration, 'config.duration');
    statedMs = seconds === undefined ? undefined : seconds * 1000;
  }
  if (results.passed !== undefined && results.passed !== null && typeof results.passed !== 'boolean') throw new K6FormatError('results.passed is not true or false', 'results.passed');
  return { ...runFromMetrics('machine-summary', byName, tally, statedMs), k6Passed: typeof results.passed === 'boolean' ? results.passed : null };
}
