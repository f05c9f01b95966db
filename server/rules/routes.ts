import type { FastifyInstance } from 'fastify';
import type { AlertStore } from './alert-store.ts';
import type { Evaluator } from './evaluator.ts';
import type { Rule } from './types.ts';
import { RULE_KINDS } from './kinds/index.ts';

/** Read views of the rules and of the alerts now pending or firing. */
export async function alertRoutes(app: FastifyInstance, options: { store: AlertStore; evaluator: Evaluator; rules: Rule[] }): Promise<void> {
  const iso = (ms: number) => new Date(ms).toISOString();
  app.get('/api/v1/alerts', { config: { access: 'viewer' }, schema: { tags: ['alerts'], summary: 'Alerts now pending or firing, newest first' } }, async () => ({
    alerts: options.store.active().sort((a, b) => b.since - a.since).map((a) => ({ ...a, since: iso(a.since), changedAt: iso(a.changedAt) })),
    last_evaluation: { at: options.evaluator.lastRun.at ? iso(options.evaluator.lastRun.at) : null, ms: Math.round(options.evaluator.lastRun.ms), rules: options.evaluator.lastRun.rules },
  }));
  app.get('/api/v1/rules', { config: { access: 'viewer' }, schema: { tags: ['alerts'], summary: 'The configured rules and what each watches' } }, async () => ({
    rules: options.rules.map((r) => ({ name: r.name, kind: r.kind, severity: r.severity, for_ms: r.forMs, match: r.match, notify: r.notify, escalation: r.escalation ?? null, description: RULE_KINDS.get(r.kind)!.describe(r as Rule<never>), params: r.params })),
  }));
}
