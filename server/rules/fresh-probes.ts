import type { EventBus, IngestedEvent } from '../shared/event-bus.ts';

export interface ProbeReading {
  at: number;
  environment: string;
  target: string;
  ok: boolean;
  totalMs: number;
  /** A threshold crossing announced by the agent while the probe still waits. */
  provisional?: boolean;
  /** When ingest announced it (not the probe's own time): it is kept until the store surely has it. */
  receivedAt?: number;
}

const KEEP_MS = 120_000;
const MAX_PER_TARGET = 50;

/**
 * Probe readings that ingest has made durable but ClickHouse may not have
 * loaded yet (the writer loads every ~200 ms), plus the agents' early
 * "still waiting past the threshold" markers. Rules merge them with stored
 * rows, so a breach is judged the moment it is acknowledged, not a flush later.
 */
export class FreshProbes {
  private readonly byTarget = new Map<string, ProbeReading[]>();

  constructor(private readonly now: () => number) {}

  /** Listens to ingest; calls `onBreach` when a reading may break a rule, so the evaluator runs at once. */
  attach(bus: EventBus, breaches: (reading: ProbeReading) => boolean, onBreach: () => void): void {
    bus.on('ingested', (event: IngestedEvent) => {
      let breach = false;
      for (const reading of readingsOf(event)) {
        this.add(reading);
        breach ||= breaches(reading);
      }
      if (breach) onBreach();
    });
  }

  add(reading: ProbeReading): void {
    const key = `${reading.environment}\u0000${reading.target}`;
    const list = this.byTarget.get(key) ?? [];
    list.push({ ...reading, receivedAt: reading.receivedAt ?? this.now() });
    this.byTarget.set(key, list);
    this.prune(list);
  }

  /** Drops readings received more than KEEP_MS ago (the store has them by then). */
  private prune(list: ProbeReading[]): void {
    const cutoff = this.now() - KEEP_MS;
    while (list.length > MAX_PER_TARGET || (list.length > 0 && list[0]!.receivedAt! < cutoff)) list.shift();
  }

  /** Recent readings of every target, oldest first. */
  all(): ProbeReading[][] {
    for (const [key, list] of this.byTarget) {
      this.prune(list);
      if (list.length === 0) this.byTarget.delete(key);
    }
    return [...this.byTarget.values()];
  }
}

function readingsOf(event: IngestedEvent): ProbeReading[] {
  const out: ProbeReading[] = [];
  if (event.kind === 'probes') {
    for (const r of event.records as Record<string, unknown>[]) {
      out.push({ at: timeOf(r.timestamp), environment: String(r.environment), target: String(r.target), ok: r.ok === true, totalMs: Number(r.total_ms) });
    }
  } else if (event.kind === 'metrics') {
    for (const r of event.records as Record<string, unknown>[]) {
      if (r.name !== 'probe_threshold_crossed') continue;
      const labels = (r.labels ?? {}) as Record<string, string>;
      if (!labels.target) continue;
      // The marker's time is when the threshold passed; the probe began `value` ms earlier.
      const crossedAt = timeOf(r.timestamp);
      out.push({ at: crossedAt - Number(r.value), environment: String(r.environment), target: labels.target, ok: true, totalMs: Number(r.value), provisional: true });
    }
  }
  return out;
}

function timeOf(value: unknown): number {
  if (typeof value === 'number') return value;
  const text = String(value);
  return /^-?\d+$/.test(text) ? Number(text) : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}
