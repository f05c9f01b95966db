import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from '../shared/event-bus.ts';
import type { WallDocument } from './schemas.ts';
import { WallStream, type StreamClient } from './stream.ts';

const doc = (n: number): WallDocument => ({
  time: String(n), timezone: 'UTC', environments: [], counts: { ok: 2, slow: 0, down: 0, maintenance: 0, stale: 0 }, hosts: [], incidents: [], maintenance: [],
  targets: ['a', 'b'].map((environment) => ({ environment, target: 't', state: 'ok', last_ms: 1, last_ok: true, last_status: null, last_error: null, last_at: null, p95_1h_ms: null, availability_today: null, alerts: [] })),
});

describe('WallStream', () => {
  let bus: EventBus;
  let builds: number;
  let stream: WallStream;
  const client = (environment?: string) => {
    const frames: string[] = [];
    const c: StreamClient & { frames: string[]; ended: boolean } = { environment, frames, ended: false, write: (f) => void frames.push(f), end: () => void (c.ended = true) };
    return c;
  };
  const walls = (c: { frames: string[] }) => c.frames.filter((f) => f.startsWith('event: wall')).map((f) => JSON.parse(f.slice(f.indexOf('data: ') + 6)) as WallDocument);
  const ingest = (kind: 'probes' | 'logs' = 'probes') => bus.emit('ingested', { kind, rows: 1, records: [] });

  beforeEach(() => {
    vi.useFakeTimers();
    bus = new EventBus();
    builds = 0;
    stream = new WallStream({ build: async () => doc(++builds), bus, timing: { minIntervalMs: 1000, refreshMs: 10_000, keepAliveMs: 15_000, settleMs: 300 } });
  });
  afterEach(() => {
    stream.close();
    vi.useRealTimers();
  });

  it('builds once for every client, narrowed to each environment', async () => {
    const all = client();
    const a = client('a');
    stream.subscribe(all);
    stream.subscribe(a);
    await vi.advanceTimersByTimeAsync(0);
    expect(builds).toBe(1);
    expect(walls(all)[0]!.targets).toHaveLength(2);
    expect(walls(a)[0]!.targets.map((t) => t.environment)).toEqual(['a']);
    expect(walls(a)[0]!.counts.ok).toBe(1);
    const late = client();
    stream.subscribe(late);
    expect(walls(late)).toHaveLength(1);
    expect(builds).toBe(1);
  });

  it('rebuilds after ingest at most once a second, every 10 s anyway, and pings every 15 s', async () => {
    const c = client();
    stream.subscribe(c);
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 20; i++) {
      ingest();
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(builds).toBe(3);
    ingest('logs');
    await vi.advanceTimersByTimeAsync(9_000);
    expect(builds).toBe(3);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(builds).toBe(4);
    expect(c.frames.filter((f) => f === ': keep-alive\n\n')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(c.frames.filter((f) => f === ': keep-alive\n\n')).toHaveLength(1);
  });

  it('stops its timers when the last client leaves, and ends clients on close', async () => {
    const c = client();
    const leave = stream.subscribe(c);
    await vi.advanceTimersByTimeAsync(0);
    leave();
    ingest();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(builds).toBe(1);
    const d = client();
    stream.subscribe(d);
    stream.close();
    expect(d.ended).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gives a reloaded wall a document built after the latest ingest, and keeps refreshing it', async () => {
    const first = client();
    const leave = stream.subscribe(first);
    await vi.advanceTimersByTimeAsync(0);
    expect(builds).toBe(1);
    ingest(); // a rebuild is due in 300 ms …
    await vi.advanceTimersByTimeAsync(100);
    leave(); // … but the page reloads first, and its old stream closes
    const reloaded = client();
    stream.subscribe(reloaded);
    await vi.advanceTimersByTimeAsync(1000);
    expect(walls(reloaded).map((w) => w.time)).toEqual(['2']); // never the document from before the ingest
    await vi.advanceTimersByTimeAsync(10_000);
    expect(walls(reloaded).map((w) => w.time)).toEqual(['2', '3']); // the 10 s refresh runs
    // Within a second of a build and with nothing new, a screen gets the shared document at once.
    const another = client();
    stream.subscribe(another);
    expect(walls(another).map((w) => w.time)).toEqual(['3']);
  });

  it('answers the API from the live document for a second, with one shared build after that', async () => {
    const first = await stream.document();
    expect([first.live, builds]).toEqual([false, 1]);
    await vi.advanceTimersByTimeAsync(900);
    expect(await stream.document()).toMatchObject({ live: true, doc: { time: '1' } });
    await vi.advanceTimersByTimeAsync(200);
    const [a, b] = await Promise.all([stream.document(), stream.document()]);
    expect([a.live, b.live, a.doc.time, b.doc.time, builds]).toEqual([false, false, '2', '2', 2]);
  });

  it('never broadcasts, after an ingest, a document the API began building before it', async () => {
    let release: () => void = () => undefined;
    const slow = new WallStream({ build: () => new Promise<WallDocument>((r) => (release = () => r(doc(++builds)))), bus, timing: { minIntervalMs: 1000, refreshMs: 10_000, keepAliveMs: 15_000, settleMs: 300 } });
    const asked = slow.document(); // the API's build, started before the ingest
    const c = client();
    slow.subscribe(c);
    ingest();
    await vi.advanceTimersByTimeAsync(1000);
    release();
    await asked;
    await vi.advanceTimersByTimeAsync(0);
    release(); // the stream's own build, begun after the ingest
    await vi.advanceTimersByTimeAsync(0);
    expect(walls(c).map((w) => w.time)).toEqual(['2']);
    slow.close();
  });
});
