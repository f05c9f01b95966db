import type { Collector } from './types.ts';
import type { Spool } from './spool.ts';
import type { Pusher } from './push.ts';

type Log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

/** Pushing waits at least this long between rounds, so a burst of writes becomes one batch. */
const MIN_PUSH_GAP_MS = 200;
const IDLE_PUSH_MS = 1000;

/**
 * Calls every collector on its own interval (never two calls of one
 * collector at once) and keeps the pusher draining the spool; a collector
 * that throws is logged and tried again at its next tick.
 */
export class AgentRunner {
  private running = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private wake: (() => void) | undefined;
  private kicked: 'soon' | 'now' | undefined;
  private pushing: Promise<void> | undefined;

  constructor(
    private readonly collectors: Collector[],
    private readonly spool: Spool,
    private readonly pusher: Pusher,
    private readonly log: Log,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.running = true;
    for (const collector of this.collectors) this.schedule(collector, 0);
    this.pushing = this.pushLoop();
  }

  /**
   * Something urgent was spooled: push soon (after a short gap that lets a
   * burst become one batch) rather than at the next idle tick; `now` skips
   * the gap (a probe past its threshold). A kick during a push is kept.
   */
  kick(now = false): void {
    this.kicked = this.kicked === 'now' || now ? 'now' : 'soon';
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.kick();
    await Promise.all(this.inFlight);
    await this.pushing;
    await this.pusher.pushAll().catch(() => undefined); // last chance; what is left stays spooled
    for (const collector of this.collectors) await collector.close?.();
    this.pusher.close();
    await this.spool.release();
  }

  private schedule(collector: Collector, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.running) return;
      const started = this.now();
      const run = collector
        .collect(this.spool, started)
        .catch((error: Error) => this.log('warn', `collector ${collector.name} failed; will try again`, { error: error.message }))
        .finally(() => {
          this.inFlight.delete(run);
          if (this.running) this.schedule(collector, Math.max(0, collector.intervalMs - (this.now() - started)));
        });
      this.inFlight.add(run);
    }, delayMs);
    this.timers.add(timer);
  }

  private async pushLoop(): Promise<void> {
    while (this.running) {
      const delay = await this.pusher.pushAll().catch((error: Error) => {
        this.log('error', 'pushing failed', { error: error.message });
        return IDLE_PUSH_MS;
      });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay || IDLE_PUSH_MS);
        this.wake = () => {
          clearTimeout(timer);
          setTimeout(resolve, delay || (this.kicked === 'now' ? 0 : MIN_PUSH_GAP_MS));
        };
        if (this.kicked) this.wake();
      });
      this.wake = undefined;
      this.kicked = undefined;
    }
  }
}
