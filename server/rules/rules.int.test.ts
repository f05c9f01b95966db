import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, testConfig, type TestRuntime } from '../../test/helpers/runtime.ts';

const MIN = 60_000;

/** Every rule kind against real chDB, through the ingest door and the evaluator. */
describe('rule kinds and the alert state machine', () => {
  let rt: TestRuntime;
  const t0 = Date.now();
  let clock = t0;

  const yaml = `
environments: [production, staging]
agent: { enabled: false }
evaluation_interval: 1h
rules:
  - { name: slow-3, kind: response_time, consecutive: 3, match: { environment: production } }
  - { name: slow-p95, kind: response_time, window: 10m, statistic: p95, threshold_ms: 3000 }
  - { name: down, kind: availability, consecutive: 2 }
  - { name: cpu-high, kind: cpu, threshold_percent: 80, window: 10m, for: 2m }
  - { name: memory-high, kind: host_metric, metric: memory_used_percent, threshold: 90 }
  - { name: load-high, kind: host_metric, metric: load_average, labels: { period: 5m }, threshold: 4 }
  - { name: errors, kind: log_errors, window: 5m, min_count: 3 }
  - { name: timeouts, kind: log_errors, window: 5m, pattern: "upstream timed out" }
  - { name: silent, kind: absence, source: metrics, period: 5m }
  - { name: slo, kind: burn_rate, objective_percent: 99 }
`;
  beforeAll(async () => {
    rt = await openTestRuntime({ now: () => clock, yaml });
  });
  afterAll(async () => rt?.close());

  const ingest = async (kind: string, rows: object[]) => {
    const res = await rt.app.inject({ method: 'POST', url: `/api/v1/ingest/${kind}`, headers: rt.auth, payload: rows });
    expect(res.statusCode, res.body).toBe(200);
    await rt.writer.flush();
  };
  const probes = (target: string, totals: number[], start: number, ok = true) =>
    ingest('probes', totals.map((total_ms, i) => ({ timestamp: start + i * 30_000, environment: 'production', target, ok, status: ok ? 200 : 0, total_ms })));
  const firing = () => rt.alerting.store.active().filter((a) => a.state === 'firing').map((a) => `${a.rule}:${Object.values(a.labels).join('/')}`).sort();

  it('evaluates each kind on its own data', async () => {
    await probes('a', [6000, 6000, 6000], t0 - 3 * MIN); // three slow in a row
    await probes('b', [6000, 100, 6000], t0 - 3 * MIN); // not three in a row; p95 still above 3 s
    await probes('c', [100, 100], t0 - 2 * MIN, false); // refused twice
    await ingest('metrics', [0, 1, 2, 3].map((i) => ({ timestamp: t0 - 4 * MIN + i * MIN, environment: 'production', host: 'web-1', name: 'cpu_utilisation_percent', labels: { cpu: 'total' }, value: 95 })));
    await ingest('metrics', [{ timestamp: t0 - 20 * MIN, environment: 'staging', host: 'old-1', name: 'cpu_utilisation_percent', labels: { cpu: 'total' }, value: 10 }]);
    // Memory above 90 %; the 1-minute load is high but the rule watches the 5-minute one, which is not.
    await ingest('metrics', [
      { timestamp: t0 - MIN, environment: 'production', host: 'web-1', name: 'memory_used_percent', value: 93.5 },
      { timestamp: t0 - MIN, environment: 'production', host: 'web-1', name: 'load_average', labels: { period: '1m' }, value: 9 },
      { timestamp: t0 - MIN, environment: 'production', host: 'web-1', name: 'load_average', labels: { period: '5m' }, value: 3 },
    ]);
    await ingest('logs', [1, 2, 3].map((i) => ({ timestamp: t0 - i * 1000, environment: 'production', service: 'api', level: 'ERROR', message: `boom ${i}` })));
    await ingest('logs', [{ timestamp: t0 - 1000, environment: 'production', service: 'nginx', level: 'warn', message: '[error] upstream timed out (110)' }]);
    await rt.alerting.evaluator.run('all');
    expect(firing()).toEqual([
      'down:production/c',
      'errors:production/api',
      'memory-high:production/web-1',
      'silent:staging/old-1',
      'slo:production/a/1h/5m', 'slo:production/a/6h/30m', 'slo:production/a/1d/2h', 'slo:production/a/3d/6h',
      'slo:production/b/1h/5m', 'slo:production/b/6h/30m', 'slo:production/b/1d/2h', 'slo:production/b/3d/6h',
      'slo:production/c/1h/5m', 'slo:production/c/6h/30m', 'slo:production/c/1d/2h', 'slo:production/c/3d/6h',
      'slow-3:production/a',
      'slow-p95:production/a', 'slow-p95:production/b',
      'timeouts:production/nginx',
    ].sort());
    const cpu = rt.alerting.store.active().find((a) => a.rule === 'cpu-high')!;
    expect(cpu.state).toBe('pending');
    expect(cpu.value).toBe(95);
    const memory = rt.alerting.store.active().find((a) => a.rule === 'memory-high')!;
    expect([memory.value, memory.unit, memory.description.ja]).toEqual([93.5, '%', 'メモリ使用率の 10m 平均が 90% を超過']);
    const slo = rt.alerting.store.active().find((a) => a.rule === 'slo' && a.labels.slo_window === '1h/5m')!;
    expect(slo.severity).toBe('critical');
    expect(rt.alerting.store.active().find((a) => a.rule === 'slo' && a.labels.slo_window === '3d/6h')!.severity).toBe('warning');
  });

  it('fires a pending alert once `for` has passed, and resumes state after a restart', async () => {
    clock = t0 + 2 * MIN + 1000;
    await rt.alerting.evaluator.run('all');
    expect(firing()).toContain('cpu-high:production/web-1');
    const before = rt.alerting.store.active().map((a) => `${a.fingerprint}@${a.since}:${a.state}`).sort();
    const dataDir = rt.dataDir;
    await rt.close();
    rt = await openTestRuntime({ dataDir, now: () => clock, yaml });
    expect(rt.alerting.store.active().map((a) => `${a.fingerprint}@${a.since}:${a.state}`).sort()).toEqual(before);
  });

  it('resolves when the data recovers, and an early "still waiting" marker fires before the probe ends', async () => {
    await probes('a', [200], clock - 1000);
    await rt.alerting.evaluator.run('urgent');
    expect(firing()).not.toContain('slow-3:production/a');
    // The agent announces a crossing at 5 s; the probe row itself is not there yet.
    await ingest('metrics', [{ timestamp: clock, environment: 'production', host: 'agent-1', name: 'probe_threshold_crossed', labels: { target: 'd' }, value: 5000 }]);
    await rt.alerting.evaluator.run('urgent');
    const early = rt.alerting.store.active().find((a) => a.rule === 'slow-3' || a.labels.target === 'd');
    expect(early).toBeUndefined(); // slow-3 needs three slow probes; one marker is not enough
    await probes('e', [6000, 6000], clock - 2 * MIN);
    await ingest('metrics', [{ timestamp: clock, environment: 'production', host: 'agent-1', name: 'probe_threshold_crossed', labels: { target: 'e' }, value: 5000 }]);
    await rt.alerting.evaluator.run('urgent');
    const fired = rt.alerting.store.active().find((a) => a.rule === 'slow-3' && a.labels.target === 'e')!;
    expect(fired.state).toBe('firing');
    expect(fired.provisional).toBe(true);
  });

  it('a host that stops reporting is no data, not recovered: the absence rule speaks, and only a reading within the threshold resolves', async () => {
    const state = (rule: string, key: string) => rt.alerting.store.active().find((a) => a.rule === rule && Object.values(a.labels).includes(key))?.state;
    expect(state('cpu-high', 'web-1')).toBe('firing');
    expect(state('errors', 'api')).toBe('firing');
    clock = t0 + 12 * MIN; // web-1's last sample (t0 − 1 min) has left the 10-minute window
    await rt.alerting.evaluator.run('all');
    const silent = rt.alerting.store.active().find((a) => a.rule === 'cpu-high')!;
    expect(silent.state).toBe('nodata');
    expect(silent.value).toBe(95); // the last reading is kept, not replaced by a "recovered" figure
    expect(state('silent', 'web-1')).toBe('firing'); // the absence rule names the silence
    // No error lines in the window is a real recovery for a log rule.
    expect(state('errors', 'api')).toBeUndefined();
    // The silence survives a restart as a silence.
    const dataDir = rt.dataDir;
    await rt.close();
    rt = await openTestRuntime({ dataDir, now: () => clock, yaml });
    expect(state('cpu-high', 'web-1')).toBe('nodata');
    await rt.alerting.evaluator.run('all');
    expect(state('cpu-high', 'web-1')).toBe('nodata');
    // Data back, still high: the same episode fires on.
    await ingest('metrics', [{ timestamp: clock - 30_000, environment: 'production', host: 'web-1', name: 'cpu_utilisation_percent', labels: { cpu: 'total' }, value: 97 }]);
    await rt.alerting.evaluator.run('all');
    const again = rt.alerting.store.active().find((a) => a.rule === 'cpu-high')!;
    expect([again.state, again.since]).toEqual(['firing', silent.since]);
    // Within the threshold: resolved, with that reading.
    clock += 11 * MIN;
    await ingest('metrics', [{ timestamp: clock - 30_000, environment: 'production', host: 'web-1', name: 'cpu_utilisation_percent', labels: { cpu: 'total' }, value: 40 }]);
    await rt.alerting.evaluator.run('all');
    expect(state('cpu-high', 'web-1')).toBeUndefined();
    const ended = (await rt.alerting.store.recentlyResolved(t0)).filter((a) => a.rule === 'cpu-high');
    expect(ended.map((a) => [a.value, a.since])).toEqual([[40, silent.since]]);
  });
});

describe('rule configuration', () => {
  const config = (rules: string) => () => testConfig(`environments: [production]\nrules:\n${rules}`);
  it('names the bad field and its line', () => {
    expect(config('  - { name: x, kind: nope }')).toThrow(/test.yaml:3: rules.0.kind: unknown rule kind "nope"/);
    expect(config('  - { name: x, kind: cpu, threshold_percent: 180 }')).toThrow(/rules.0.threshold_percent/);
    expect(config('  - { name: x, kind: cpu, treshold_percent: 80 }')).toThrow(/rules.0.treshold_percent: unknown field for a cpu rule/);
    expect(config('  - { name: x, kind: response_time, window: 5m, consecutive: 2 }')).toThrow(/rules.0.window: give either/);
    expect(config('  - { name: x, kind: cpu, notify: [nobody] }')).toThrow(/rules.0.notify.0: no recipient named "nobody"/);
    expect(config('  - { name: x, kind: cpu }\n  - { name: x, kind: cpu }')).toThrow(/rules.1.name/);
    expect(config('  - { name: x, kind: cpu, match: { environment: prod } }')).toThrow(/rules.0.match.environment/);
  });
});

describe('default rules', () => {
  it('watch the 5 s target, targets down, CPU and memory capacity and silent agents unless rules are given', () => {
    expect(testConfig('environments: [production]').rules.map((r) => `${r.name}:${r.kind}:${r.severity}`)).toEqual([
      'response-over-5s:response_time:critical', 'target-down:availability:critical', 'cpu-capacity:cpu:warning', 'memory-capacity:host_metric:warning', 'agent-silent:absence:warning',
    ]);
    expect(testConfig('environments: [production]\nrules: []').rules).toEqual([]);
  });
});
