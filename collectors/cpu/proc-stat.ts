// Parsing of Linux /proc/stat, /proc/loadavg and /proc/meminfo.

export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

/** "cpu" (all cores) and "cpu0", "cpu1", … → jiffies per mode. */
export function parseProcStat(text: string): Map<string, CpuTimes> {
  const cpus = new Map<string, CpuTimes>();
  for (const line of text.split('\n')) {
    const m = /^(cpu\d*)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = m[2]!.trim().split(/\s+/).map(Number);
    cpus.set(m[1] === 'cpu' ? 'total' : m[1]!.slice(3), { user, nice, system, idle, iowait, irq, softirq, steal });
  }
  return cpus;
}

export interface CpuPercent {
  utilisation: number;
  user: number;
  system: number;
  iowait: number;
  steal: number;
  idle: number;
}

/** Percent of time per mode between two readings; utilisation = not idle and not waiting on I/O. */
export function cpuPercent(before: CpuTimes, after: CpuTimes): CpuPercent | undefined {
  const d = (k: keyof CpuTimes) => Math.max(0, after[k] - before[k]);
  const total = d('user') + d('nice') + d('system') + d('idle') + d('iowait') + d('irq') + d('softirq') + d('steal');
  if (total <= 0) return undefined;
  const pct = (n: number) => Math.round((10_000 * n) / total) / 100;
  return {
    utilisation: pct(total - d('idle') - d('iowait')),
    user: pct(d('user') + d('nice')),
    system: pct(d('system') + d('irq') + d('softirq')),
    iowait: pct(d('iowait')),
    steal: pct(d('steal')),
    idle: pct(d('idle')),
  };
}

export function parseLoadavg(text: string): [number, number, number] {
  const [a = 0, b = 0, c = 0] = text.trim().split(/\s+/).map(Number);
  return [a, b, c];
}

/** Memory in use as a percentage: (MemTotal − MemAvailable) / MemTotal. */
export function memoryUsedPercent(meminfo: string): number | undefined {
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(meminfo)?.[1]);
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  if (!total || Number.isNaN(available)) return undefined;
  return Math.round((10_000 * (total - available)) / total) / 100;
}
