import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuPercent, memoryUsedPercent, parseLoadavg, parseProcStat } from './proc-stat.ts';

describe('/proc parsing', () => {
  it('turns two /proc/stat readings into percentages per mode', () => {
    const a = parseProcStat('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\nintr 1 2 3\n');
    const b = parseProcStat('cpu  160 0 70 900 60 0 0 10 0 0\ncpu0 80 0 35 450 30 0 0 5 0 0\n');
    expect([...a.keys()]).toEqual(['total', '0']);
    expect(cpuPercent(a.get('total')!, b.get('total')!)).toEqual({ utilisation: 45, user: 30, system: 10, iowait: 5, steal: 5, idle: 50 });
  });

  it('reads the real /proc of this machine into sane values', async () => {
    const first = parseProcStat(fs.readFileSync('/proc/stat', 'utf8'));
    let x = 0;
    for (let i = 0; i < 2e7; i++) x += i; // keep one core busy for a moment
    await new Promise((r) => setTimeout(r, 200));
    const second = parseProcStat(fs.readFileSync('/proc/stat', 'utf8'));
    const pct = cpuPercent(first.get('total')!, second.get('total')!)!;
    expect(x).toBeGreaterThan(0);
    expect(pct.utilisation).toBeGreaterThan(0);
    expect(pct.utilisation).toBeLessThanOrEqual(100);
    expect(pct.idle + pct.user + pct.system + pct.iowait + pct.steal).toBeCloseTo(100, 0);
    expect(parseLoadavg(fs.readFileSync('/proc/loadavg', 'utf8'))[0]).toBeGreaterThanOrEqual(0);
    const mem = memoryUsedPercent(fs.readFileSync('/proc/meminfo', 'utf8'))!;
    expect(mem).toBeGreaterThan(0);
    expect(mem).toBeLessThan(100);
  });
});
