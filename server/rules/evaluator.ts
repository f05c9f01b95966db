import type { Rule, RuleKind, EvalContext } from './types.ts';
import type { Storage } from '../storage/client.ts';
import type { FreshProbes } from './fresh-probes.ts';
import type { AlertStore, Transition } from './alert-store.ts';
import { RULE_KINDS } from './kinds/index.ts';

export interface EvaluatorOptions {
  rules: Rule[];
  storage: Storage;
  fresh: FreshProbes;
  store: AlertStore;
  now: () => number;
  ingestLag?: EvalContext['ingestLag'];
  onTransitions: (changes: Transition[]) => Promise<void>;
  onError: (rule: string, error: Error) => void;
  onRun?: (scope: 'all' | 'urgent', seconds: number) => void;
}

interface Batch {
  kind: RuleKind<never>;
  rules: Rule[];
  /** Batches over the newest probes are the ones a breaching probe re-runs at once. */
  urgent: boolean;
}

/**
 * Runs every rule on an interval and, when ingest stores a probe that may
 * break a threshold, the probe rules at once. Runs never overlap: a trigger
 * during a run schedules one more run right after it.
 */
export class Evaluator {
  private readonly batches: Batch[];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again: 'all' | 'urgent' | undefined;
  private stopped = false;
  private started = false;
  lastRun = { at: 0, ms: 0, rules: 0 };

  constructor(private readonly options: EvaluatorOptions) {
    const groups = new Map<string, Batch>();
    for (const rule of options.rules) {
      const kind = RULE_KINDS.get(rule.kind)!;
      const key = `${rule.kind}\u0000${kind.batchKey(rule as Rule<never>)}`;
      const batch = groups.get(key) ?? { kind, rules: [], urgent: kind.batchKey(rule as Rule<never>) === 'latest' };
      batch.rules.push(rule);
      groups.set(key, batch);
    }
    this.batches = [...groups.values()];
  }

  start(intervalMs: number): void {
    this.started = true;
    const tick = () => {
      this.timer = setTimeout(() => void this.run('all').finally(() => !this.stopped && tick()), intervalMs);
      this.timer.unref();
    };
    void this.run('all').finally(() => !this.stopped && tick());
  }

  /** A breaching probe arrived: evaluate the probe rules now (coalesced with a run in progress); nothing before start. */
  trigger(): void {
    if (this.started) void this.run('urgent');
  }

  /** Resolves once this scope has been evaluated after the call (a run already in progress is followed by one more). */
  async run(scope: 'all' | 'urgent'): Promise<void> {
    if (this.stopped) return;
    if (this.running) {
      this.again = this.again === 'all' || scope === 'all' ? 'all' : 'urgent';
      return this.running;
    }
    this.running = this.drain(scope).finally(() => (this.running = undefined));
    return this.running;
  }

  private async drain(scope: 'all' | 'urgent'): Promise<void> {
    let next: 'all' | 'urgent' | undefined = scope;
    while (next && !this.stopped) {
      this.again = undefined;
      await this.evaluate(next);
      next = this.again;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async evaluate(scope: 'all' | 'urgent'): Promise<void> {
    const started = performance.now();
    const now = this.options.now();
    const ctx: EvalContext = { storage: this.options.storage, now, fresh: this.options.fresh, ingestLag: this.options.ingestLag };
    const changes: Transition[] = [];
    let rules = 0;
    for (const batch of this.batches) {
      if (scope === 'urgent' && !batch.urgent) continue;
      rules += batch.rules.length;
      try {
        const observations = await batch.kind.evaluate(batch.rules as Rule<never>[], ctx);
        for (const rule of batch.rules) changes.push(...(await this.options.store.apply(rule, batch.kind, observations.get(rule as Rule<never>) ?? [], now)));
      } catch (error) {
        // A failing query leaves its rules' alerts as they were rather than resolving them.
        this.options.onError(batch.rules.map((r) => r.name).join(','), error as Error);
      }
    }
    if (scope === 'all') changes.push(...(await this.options.store.retire(new Set(this.options.rules.map((r) => r.name)), now)));
    this.lastRun = { at: now, ms: performance.now() - started, rules };
    this.options.onRun?.(scope, this.lastRun.ms / 1000);
    if (changes.length) await this.options.onTransitions(changes);
  }
}
