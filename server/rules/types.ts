import type { TSchema } from 'typebox';
import type { Storage } from '../storage/client.ts';
import type { Severity } from './config.ts';
import type { FreshProbes } from './fresh-probes.ts';

export type Labels = Record<string, string>;
export type Localized = { ja: string; en: string };

export interface Selector {
  environment?: string[];
  target?: string[];
  host?: string[];
  service?: string[];
}

/** A rule from the config, resolved: durations in ms, the kind's own fields in `params`. */
export interface Rule<P = unknown> {
  name: string;
  kind: string;
  severity: Severity;
  forMs: number;
  match: Selector;
  notify: string[];
  escalation?: string;
  title?: Partial<Localized>;
  params: P;
}

/** One series' reading in one evaluation: breaching or not, with the figures a mail shows. */
export interface Observation {
  labels: Labels;
  value: number;
  threshold: number;
  breaching: boolean;
  /** Overrides the rule's severity (burn-rate pages vs tickets). */
  severity?: Severity;
  /** Set while a probe is still waiting past the threshold: the value is a lower bound. */
  provisional?: boolean;
}

export interface EvalContext {
  storage: Storage;
  now: number;
  fresh: FreshProbes;
  /** Mimamori's own loader, per table: how long it has made no progress while rows wait (the built-in rule). */
  ingestLag?: () => { table: string; environment: string; stalledMs: number }[];
}

/**
 * A rule kind: one file in kinds/. Rules of a kind that share a batch key
 * are evaluated by one query, so 1,000 rules cost a handful of queries.
 */
export interface RuleKind<P = unknown> {
  kind: string;
  /** The kind's own fields in the YAML rule. */
  schema: TSchema;
  /** Applies defaults and parses durations; `fail` names the field. */
  resolve(raw: Record<string, unknown>, fail: (field: string, reason: string) => Error): P;
  /** Unit of `value` and `threshold` for people: ms, %, count, s, x. */
  unit: string;
  /** The unit of one rule, where it depends on the rule (a host metric in % or not). */
  unitOf?(rule: Rule<P>): string;
  /** What the rule watches, e.g. "応答時間 (直近 1 回) が 5000 ms 超". */
  describe(rule: Rule<P>): Localized;
  batchKey(rule: Rule<P>): string;
  /** Evaluated on every server whatever the YAML says; a `rules:` entry may not use it. */
  builtIn?: true;
  /**
   * A series that stops appearing in the results has no data, not recovered
   * (a host that stopped reporting CPU): its firing alert goes to `nodata`.
   * Without it, a missing series means the condition is gone (no error lines
   * counted, nothing waiting to load).
   */
  silenceIsNoData?: true;
  evaluate(rules: Rule<P>[], ctx: EvalContext): Promise<Map<Rule<P>, Observation[]>>;
}

/** `nodata`: it was firing and its series stopped reporting: still a problem, not recovered. */
export type AlertState = 'pending' | 'firing' | 'nodata' | 'resolved' | 'inactive';

/** An alert instance: one rule × one label set, in one episode (`since`). */
export interface Alert {
  fingerprint: string;
  rule: string;
  kind: string;
  severity: Severity;
  labels: Labels;
  state: AlertState;
  /** When this episode began (pending or firing), epoch ms; part of every notification key. */
  since: number;
  /** When it last changed state, epoch ms. */
  changedAt: number;
  value: number;
  threshold: number;
  unit: string;
  provisional: boolean;
  description: Localized;
}
