import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerWithConfig, type ServerProcess } from '../helpers/server-process.ts';

// A real server process: lines go in through the ingest door, the miner
// learns their patterns in the background, and the rule engine alerts.
describe('learned log patterns on a real server', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerWithConfig(`
agent: { enabled: false }
evaluation_interval: 1s
rules:
  - { name: new-error-pattern, kind: new_error_pattern, window: 10m, min_count: 3, severity: critical }
notify:
  group_interval: 1s
`);
  }, 90_000);
  afterAll(async () => server?.stop());

  const lines = (n: number, message: (i: number) => string, level = 'error') =>
    Array.from({ length: n }, (_, i) => ({ timestamp: Date.now() - (n - i) * 100, environment: 'production', host: 'ap-1', service: 'billing', level, message: message(i) }));

  it('a burst of a new error pattern raises exactly one alert and one ticket, and the pattern view shows it as new', async () => {
    // Known, harmless lines first; then 40 lines of one new error shape with varying numbers.
    expect((await server.ingest('logs', lines(20, (i) => `GET /invoice/${i} 200 ${10 + i}ms`, 'info'))).status).toBe(200);
    expect((await server.ingest('logs', lines(40, (i) => `payment gateway refused card ending ${1000 + i}: code ${50 + (i % 3)}`))).status).toBe(200);
    const deadline = Date.now() + 40_000;
    let firing: { labels: Record<string, string> }[] = [];
    while (Date.now() < deadline) {
      firing = (await server.get<{ alerts: { state: string; rule: string; labels: Record<string, string> }[] }>('/api/v1/alerts')).alerts.filter((a) => a.rule === 'new-error-pattern' && a.state === 'firing');
      if (firing.length) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(firing).toHaveLength(1);
    expect(firing[0]!.labels).toMatchObject({ environment: 'production', service: 'billing', pattern: expect.stringMatching(/^p/) });
    // More of the same burst stays the same alert; a ticket was opened once.
    expect((await server.ingest('logs', lines(10, (i) => `payment gateway refused card ending ${2000 + i}: code 51`))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 8000));
    const alerts = (await server.get<{ alerts: { rule: string }[] }>('/api/v1/alerts')).alerts.filter((a) => a.rule === 'new-error-pattern');
    expect(alerts).toHaveLength(1);
    const tickets = (await server.get<{ tickets: { rule: string | null; labels: Record<string, string> }[] }>('/api/v1/tickets')).tickets.filter((t) => t.rule === 'new-error-pattern');
    expect(tickets).toHaveLength(1);
    const { patterns } = await server.get<{ patterns: { id: string; template: string; count: number; new: boolean; level: string }[] }>('/api/v1/patterns?environment=production&service=billing&level=error');
    expect(patterns).toEqual([expect.objectContaining({ id: firing[0]!.labels.pattern, count: 50, new: true })]);
    expect(patterns[0]!.template).toMatch(/^payment gateway refused card ending <\w+>/);
  }, 90_000);
});
