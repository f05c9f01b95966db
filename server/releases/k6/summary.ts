// k6's end-of-test summary objects, as a JSON document already parsed:
//
// - `k6 run --summary-export=x.json` (v0.26 on, still in v2): each metric's
//   statistics at the top of the metric, rate metrics' fraction under
//   `value`, thresholds as { "p(95)<500": false } where false means NOT
//   crossed (passed), checks keyed by name in root_group.checks, no state.
// - the `handleSummary(data)` object (written with JSON.stringify(data)):
//   statistics under `values`, thresholds as { ok }, checks as a list,
//   state.testRunDurationMs.
// - the machine-readable summary (k6 ≥ 1.5 with --new-machine-readable-summary),
//   see machine-readable.ts.

import { isMachineReadable, readMachineReadable } from './machine-readable.ts';
import { K6FormatError, type K6Run } from './model.ts';
import { CheckTally, isObject, optionalCount, readStats, requiredCount, runFromMetrics, type SummaryMetric } from './summary-fields.ts';

/** Group nesting deeper than this is not a k6 script's. */
const MAX_GROUP_DEPTH = 64;

export function readSummary(doc: unknown): K6Run {
  if (!isObject(doc)) throw new K6FormatError('the k6 summary is not a JSON object', 'body');
  if (isMachineReadable(doc)) return readMachineReadable(doc);
  if (doc.metrics === undefined) throw new K6FormatError('the k6 summary has no "metrics"', 'metrics');
  const metrics = doc.metrics;
  if (!isObject(metrics)) throw new K6FormatError('metrics is not an object', 'metrics');
  // handleSummary nests each metric's statistics under `values`; --summary-export does not.
  const handle = Object.values(metrics).some((m) => isObject(m) && isObject(m.values));
  const byName = new Map<string, SummaryMetric>();
  for (const [name, raw] of Object.entries(metrics)) {
    byName.set(name, handle ? handleSummaryMetric(raw, `metrics.${name}`) : exportedMetric(raw, `metrics.${name}`));
  }
  const checks = new CheckTally();
  if (doc.root_group !== undefined && doc.root_group !== null) tallyGroup(doc.root_group, 'root_group', checks, 0);
  let statedMs: number | undefined;
  if (doc.state !== undefined && doc.state !== null) {
    if (!isObject(doc.state)) throw new K6FormatError('state is not an object', 'state');
    statedMs = optionalCount(doc.state.testRunDurationMs, 'state.testRunDurationMs');
  }
  return runFromMetrics(handle ? 'handle-summary' : 'summary-export', byName, checks, statedMs);
}

const THRESHOLDS = new Set(['thresholds']);

function exportedMetric(raw: unknown, path: string): SummaryMetric {
  const stats = readStats(raw, path, THRESHOLDS);
  const thresholds = entriesOf((raw as Record<string, unknown>).thresholds, `${path}.thresholds`).map(([expression, crossed]) => {
    // --summary-export keeps k6's old meaning: the value says whether the threshold was crossed.
    if (typeof crossed !== 'boolean') throw new K6FormatError(`${path}.thresholds["${expression}"] is not true or false`, `${path}.thresholds.${expression}`);
    return { expression, ok: !crossed };
  });
  return { stats, thresholds };
}

function handleSummaryMetric(raw: unknown, path: string): SummaryMetric {
  if (!isObject(raw)) throw new K6FormatError(`${path} is not an object`, path);
  if (raw.values === undefined) throw new K6FormatError(`${path} has no "values"`, `${path}.values`);
  const stats = readStats(raw.values, `${path}.values`);
  const thresholds = entriesOf(raw.thresholds, `${path}.thresholds`).map(([expression, result]) => {
    if (!isObject(result) || typeof result.ok !== 'boolean') {
      throw new K6FormatError(`${path}.thresholds["${expression}"] is not { "ok": true|false }`, `${path}.thresholds.${expression}`);
    }
    return { expression, ok: result.ok };
  });
  return { stats, thresholds };
}

function entriesOf(raw: unknown, path: string): [string, unknown][] {
  if (raw === undefined || raw === null) return [];
  if (!isObject(raw)) throw new K6FormatError(`${path} is not an object`, path);
  return Object.entries(raw);
}

/** A group's checks and its sub-groups' (lists in handleSummary, objects keyed by name in --summary-export). */
function tallyGroup(raw: unknown, path: string, tally: CheckTally, depth: number): void {
  if (!isObject(raw)) throw new K6FormatError(`${path} is not an object`, path);
  if (depth > MAX_GROUP_DEPTH) throw new K6FormatError(`${path}: groups nest deeper than ${MAX_GROUP_DEPTH}`, path);
  for (const [key, check, at] of itemsOf(raw.checks, `${path}.checks`)) {
    if (!isObject(check)) throw new K6FormatError(`${at} is not an object`, at);
    const name = check.name ?? key;
    if (typeof name !== 'string') throw new K6FormatError(`${at}.name is not a string`, `${at}.name`);
    tally.add(name, requiredCount(check.passes, `${at}.passes`), requiredCount(check.fails, `${at}.fails`));
  }
  for (const [, group, at] of itemsOf(raw.groups, `${path}.groups`)) tallyGroup(group, at, tally, depth + 1);
}

/** [key, item, path] of a list or of an object's entries (key undefined for a list). */
function itemsOf(raw: unknown, path: string): [string | undefined, unknown, string][] {
  if (raw === undefined || raw === null) return [];
  if (Array.isArray(raw)) return raw.map((item, i) => [undefined, item, `${path}[${i}]`]);
  if (isObject(raw)) return Object.entries(raw).map(([key, item]) => [key, item, `${path}.${key}`]);
  throw new K6FormatError(`${path} is neither a list nor an object`, path);
}
