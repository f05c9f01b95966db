import type { Static } from 'typebox';
import { Compile } from 'typebox/compile';
import type { RulesSchema } from './config.ts';
import type { Rule } from './types.ts';
import { RULE_KINDS } from './kinds/index.ts';
import { duration } from './kinds/response-time.ts';

type Fail = (path: (string | number)[], reason: string) => Error;
const COMMON = new Set(['name', 'kind', 'severity', 'for', 'match', 'notify', 'escalation', 'title']);
const toList = (v: string | string[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

/**
 * Without a `rules:` section, the agreements every deployment starts from:
 * the 5-second target (item 22), targets down, the CPU capacity threshold
 * (item 18) and agents gone silent. `rules: []` turns them off.
 */
export const DEFAULT_RULES = [
  { name: 'response-over-5s', kind: 'response_time', threshold_ms: 5000, severity: 'critical' },
  { name: 'target-down', kind: 'availability', consecutive: 2, severity: 'critical' },
  { name: 'cpu-capacity', kind: 'cpu', threshold_percent: 80, window: '10m', for: '5m', severity: 'warning' },
  { name: 'memory-capacity', kind: 'host_metric', metric: 'memory_used_percent', threshold: 90, window: '10m', for: '5m', severity: 'warning' },
  { name: 'agent-silent', kind: 'absence', source: 'metrics', period: '5m', severity: 'warning' },
] as unknown as Static<typeof RulesSchema>;

/** Turns the YAML rules into resolved rules; the kind checks its own fields, and errors name the field. */
export function resolveRules(raw: Static<typeof RulesSchema> | undefined, known: { recipients: Set<string>; chains: Set<string>; environments: string[] }, fail: Fail): Rule[] {
  const names = new Set<string>();
  return (raw ?? DEFAULT_RULES).map((entry, i) => {
    const at = (field: string, reason: string) => fail(['rules', i, ...field.split('.')], reason);
    const kind = RULE_KINDS.get(entry.kind);
    if (!kind || kind.builtIn) throw at('kind', `unknown rule kind "${entry.kind}" (one of ${[...RULE_KINDS.values()].filter((k) => !k.builtIn).map((k) => k.kind).join(', ')})`);
    if (names.has(entry.name)) throw at('name', `"${entry.name}" is used by an earlier rule`);
    names.add(entry.name);
    const own = Object.fromEntries(Object.entries(entry).filter(([k]) => !COMMON.has(k)));
    const check = Compile(kind.schema);
    if (!check.Check(own)) {
      const error = [...check.Errors(own)][0];
      const field = error?.instancePath.replace(/^\//, '').replaceAll('/', '.') || Object.keys(own).find((k) => !(k in (kind.schema as { properties: object }).properties)) || '';
      throw at(field, error?.message ?? 'invalid');
    }
    for (const key of Object.keys(own)) if (!(key in (kind.schema as { properties: object }).properties)) throw at(key, `unknown field for a ${entry.kind} rule`);
    for (const [j, name] of (entry.notify ?? []).entries()) if (!known.recipients.has(name)) throw at(`notify.${j}`, `no recipient named "${name}" in notify.recipients`);
    if (entry.escalation && !known.chains.has(entry.escalation)) throw at('escalation', `no escalation chain named "${entry.escalation}"`);
    for (const env of toList(entry.match?.environment) ?? []) if (!known.environments.includes(env)) throw at('match.environment', `"${env}" is not one of the environments`);
    return {
      name: entry.name,
      kind: entry.kind,
      severity: entry.severity ?? 'warning',
      forMs: entry.for ? duration(entry.for, 'for', at) : 0,
      match: { environment: toList(entry.match?.environment), target: toList(entry.match?.target), host: toList(entry.match?.host), service: toList(entry.match?.service) },
      notify: entry.notify ?? [],
      escalation: entry.escalation ?? (known.chains.has('default') ? 'default' : undefined),
      title: entry.title,
      params: kind.resolve(own, at),
    };
  });
}
