/** A rule as GET /api/v1/rules returns it (the fields a host page needs). */
export interface RuleView {
  name: string;
  kind: string;
  match: { environment?: string[]; host?: string[] };
  params: Record<string, unknown>;
}

/** What a host chart shows: a metric, optionally one labelled series of it. */
export interface HostSeries {
  metric: string;
  label?: [string, string];
}

const covers = (rule: RuleView, environment: string, host: string) =>
  (!rule.match.environment || rule.match.environment.includes(environment)) && (!rule.match.host || rule.match.host.includes(host));

/**
 * The lowest threshold any rule sets on this series of this host (the first
 * to be crossed), with the rule's name; undefined when no rule watches it.
 */
export function thresholdOf(rules: RuleView[], environment: string, host: string, series: HostSeries): { value: number; rule: string } | undefined {
  const candidates = rules.filter((r) => covers(r, environment, host)).flatMap((r) => {
    if (r.kind === 'cpu' && series.metric === 'cpu_utilisation_percent') return [{ value: Number(r.params.thresholdPercent), rule: r.name }];
    if (r.kind !== 'host_metric' || r.params.metric !== series.metric) return [];
    const labels = (r.params.labels ?? {}) as Record<string, string>;
    const [key, value] = series.label ?? [];
    // A rule on one labelled series (load over 5 min) applies only to that series.
    const fits = Object.entries(labels).every(([k, v]) => k === key && v === value);
    return fits ? [{ value: Number(r.params.threshold), rule: r.name }] : [];
  });
  return candidates.sort((a, b) => a.value - b.value)[0];
}
