import type { EventBus, IngestedEvent } from '../shared/event-bus.ts';
import type { WallDocument } from './schemas.ts';
import { narrowWall } from './wall.ts';

export interface StreamTiming {
  /** At most one rebuild per this many ms, however often ingest speaks. */
  minIntervalMs: number;
  /** A rebuild at least this often while anyone watches. */
  refreshMs: number;
  keepAliveMs: number;
  /** Wait after an ingest announcement, so the writer has loaded the rows. */
  settleMs: number;
}

export const DEFAULT_TIMING: StreamTiming = { minIntervalMs: 1000, refreshMs: 10_000, keepAliveMs: 15_000, settleMs: 300 };

export interface StreamClient {
  environment?: string;
  write(chunk: string): void;
  end(): void;
}

export interface WallStreamOptions {
  /** Builds the document for every environment, with every open incident. */
  build: () => Promise<WallDocument>;
  bus: EventBus;
  now?: () => number;
  timing?: Partial<StreamTiming>;
  onError?: (error: Error) => void;
}

export const wallFrame = (doc: WallDocument) => `event: wall\ndata: ${JSON.stringify(doc)}\n\n`;

/**
 * One document shared by every connected wall: rebuilt once (throttled)
 * after ingest and on a timer, serialised once per environment, written to all.
 */
export class WallStream {
  private readonly clients = new Set<StreamClient>();
  private readonly timing: StreamTiming;
  private readonly now: () => number;
  /** The newest document and when its build started (what it may be missing is what arrived after). */
  private latest: { doc: WallDocument; at: number } | undefined;
  private pending: { doc: Promise<WallDocument>; startedAt: number } | undefined;
  /** When ingest last announced probes or metrics, watched or not: a document built before it is out of date. */
  private changedAt = -Infinity;
  private lastStarted = -Infinity;
  private building = false;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private dueAt = Infinity;
  private keepAlive: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: WallStreamOptions) {
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.now = options.now ?? Date.now;
    options.bus.on('ingested', this.onIngest);
  }

  get size(): number {
    return this.clients.size;
  }

  /**
   * The document for GET /api/v1/wall: the live one when it was built less
   * than `minIntervalMs` ago (the stream's own rate), else a fresh build that
   * becomes the live one. Concurrent askers share one build. `live` says
   * which, for the served-from-live metric.
   */
  async document(): Promise<{ doc: WallDocument; live: boolean }> {
    if (this.latest && this.now() - this.latest.at < this.timing.minIntervalMs) return { doc: this.latest.doc, live: true };
    return { doc: await this.buildShared(), live: false };
  }

  /** Sends the current document at once (or as soon as it is built); returns the unsubscribe. */
  subscribe(client: StreamClient): () => void {
    if (this.closed) {
      client.end();
      return () => undefined;
    }
    this.clients.add(client);
    // A screen that (re)connects gets the shared document only if nothing arrived since it was built;
    // otherwise a fresh one (a reloaded wall once kept a stale document until the next ingest).
    const current = this.latest && this.latest.at > this.changedAt && this.now() - this.latest.at < this.timing.minIntervalMs ? this.latest : undefined;
    if (current) {
      client.write(wallFrame(narrowWall(current.doc, client.environment)));
      this.schedule(current.at + this.timing.refreshMs - this.now()); // the refresh cycle runs while anyone watches
    } else if (this.building) this.dirty = true;
    else this.schedule(this.lastStarted + this.timing.minIntervalMs - this.now());
    this.keepAlive ??= setInterval(() => this.clients.forEach((c) => c.write(': keep-alive\n\n')), this.timing.keepAliveMs).unref();
    return () => {
      this.clients.delete(client);
      if (this.clients.size === 0) this.stopTimers();
    };
  }

  close(): void {
    this.closed = true;
    this.options.bus.off('ingested', this.onIngest);
    this.stopTimers();
    for (const c of this.clients) c.end();
    this.clients.clear();
  }

  private readonly onIngest = (event: IngestedEvent) => {
    if (event.kind === 'logs') return;
    this.changedAt = this.now();
    if (this.clients.size === 0) return;
    this.schedule(Math.max(this.timing.settleMs, this.lastStarted + this.timing.minIntervalMs - this.now()));
  };

  /** Keeps the earlier of the pending and the requested rebuild. */
  private schedule(delayMs: number): void {
    const delay = Math.max(0, delayMs);
    const due = this.now() + delay;
    if (this.timer && this.dueAt <= due) return;
    clearTimeout(this.timer);
    this.dueAt = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dueAt = Infinity;
      void this.rebuild();
    }, delay).unref();
  }

  /** One build at a time, whoever asks (the stream's timer or the API); it becomes the live document. */
  private buildShared(): Promise<WallDocument> {
    if (!this.pending) {
      const startedAt = this.now();
      const doc = this.options.build().then((built) => ((this.latest = { doc: built, at: startedAt }), built));
      this.pending = { doc: doc.finally(() => (this.pending = undefined)), startedAt };
    }
    return this.pending.doc;
  }

  private async rebuild(): Promise<void> {
    if (this.building) {
      this.dirty = true;
      return;
    }
    this.building = true;
    this.lastStarted = this.now();
    try {
      // A build the API started before the latest ingest would miss it: let it end, then build anew.
      if (this.pending && this.pending.startedAt <= this.changedAt) await this.pending.doc.catch(() => undefined);
      const doc = await this.buildShared();
      this.broadcast(doc);
    } catch (error) {
      this.options.onError?.(error as Error);
    } finally {
      this.building = false;
    }
    if (this.closed || this.clients.size === 0) return;
    if (this.dirty) {
      this.dirty = false;
      this.schedule(this.lastStarted + this.timing.minIntervalMs - this.now());
    }
    this.schedule(this.timing.refreshMs);
  }

  private broadcast(doc: WallDocument): void {
    const frames = new Map<string | undefined, string>();
    for (const c of this.clients) {
      let frame = frames.get(c.environment);
      if (frame === undefined) frames.set(c.environment, (frame = wallFrame(narrowWall(doc, c.environment))));
      c.write(frame);
    }
  }

  private stopTimers(): void {
    clearTimeout(this.timer);
    clearInterval(this.keepAlive);
    this.timer = this.keepAlive = undefined;
    this.dueAt = Infinity;
  }
}
