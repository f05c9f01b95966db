import type { RuleKind } from '../types.ts';
import { responseTime } from './response-time.ts';
import { availability } from './availability.ts';
import { cpu } from './cpu.ts';
import { logErrors } from './log-errors.ts';
import { absence } from './absence.ts';
import { burnRate } from './burn-rate.ts';
import { ingestStalled } from './ingest-stalled.ts';
import { hostMetric } from './host-metric.ts';
import { newErrorPattern, patternSurge } from './patterns.ts';

/** Every rule kind, by the name used in `kind:` in the YAML. */
export const RULE_KINDS: ReadonlyMap<string, RuleKind<never>> = new Map(
  ([responseTime, availability, cpu, hostMetric, logErrors, absence, burnRate, ingestStalled, newErrorPattern, patternSurge] as RuleKind<never>[]).map((k) => [k.kind, k]),
);
