import fs from 'node:fs';
import path from 'node:path';
import type { Storage } from '../storage/client.ts';
import { dateTimeText, sql, ts, typed } from '../storage/sql.ts';
import { Drain, type DrainState } from './drain.ts';
import { serialQueue } from '../shared/serial.ts';

export interface MinerOptions {
  /** A line is mined once it has been stored this long: an insert's rows share one `stored_at` taken as it starts, and the insert may take a moment to commit. */
  settleMs: number;
  /** Lines read per query (a pass mines fewer when its last key goes on past them, all of one key when that key alone fills them). */
  batchLines: number;
  /** Pause between passes once caught up. */
  intervalMs: number;
  now: () => number;
  log?: (msg: string, error?: unknown) => void;
}

/** What survives a restart: how far the miner has read, and every Drain's tree, so ids and matches stay the same. */
interface SavedState {
  version: 1;
  cursor: Cursor;
  drains: Record<string, DrainState>;
}

type Key = [environment: string, service: string, host: string, timestamp: number];

/**
 * Where the miner has read up to: every line stored at or before `stored`
 * (epoch ms); with `window`, also the lines stored in (stored, upTo] up to
 * the key `after` in the table's own order (environment, service, host,
 * timestamp). A window is fixed when a pass starts and paged through by
 * key, so the engine reads it in its sort order and stops after a batch
 * (no sort of everything unread, which after a burst is millions of lines
 * held in the engine's memory); the window closes when a pass comes back
 * short.
 */
export interface Cursor {
  stored: number;
  /** `after` is absent until the window's first pass has been mined. */
  window?: { upTo: number; after?: Key };
  /** Before the window existed: the lines stored exactly at `stored` up to this key. */
  after?: Key;
}

interface Line {
  environment: string;
  service: string;
  host: string;
  t: number;
  level: string;
  message: string;
  minute: number;
}

const key = (environment: string, service: string) => `${environment}\u0000${service}`;
const sameKey = (a: Line, b: Line) => a.t === b.t && a.host === b.host && a.service === b.service && a.environment === b.environment;

/**
 * Learns the shapes of log lines (Drain, one tree per environment and
 * service) in the background: it reads lines by the time they were stored
 * (so late lines, e.g. an agent's spool, are mined too), appends counts per
 * pattern, level and minute with an example line, and records each new or
 * generalised template. Nothing in `logs` is updated. The counts of one pass
 * and the state after it are written in that order, and the counts' insert
 * carries a deduplication token of its cursor range: after a crash between
 * the two, the pass is mined again from the saved state into the very same
 * rows, which ClickHouse drops as duplicates.
 */
export class PatternMiner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;
  private drains = new Map<string, Drain>();
  private cursor: Cursor;
  /** Passes and imports take turns: an import must not land in the middle of a pass. */
  private readonly serial = serialQueue();
  /** Lines mined since start, for /metrics and the bench. */
  mined = 0;

  private constructor(
    private readonly storage: Storage,
    private readonly file: string,
    private readonly options: MinerOptions,
    saved: SavedState | undefined,
  ) {
    this.cursor = saved?.cursor ?? { stored: 0 };
    for (const [k, state] of Object.entries(saved?.drains ?? {})) this.drains.set(k, Drain.fromState(state));
  }

  static open(storage: Storage, dataDir: string, options: MinerOptions): PatternMiner {
    const file = path.join(dataDir, 'patterns', 'state.json');
    let saved: SavedState | undefined;
    if (fs.existsSync(file)) saved = JSON.parse(fs.readFileSync(file, 'utf8')) as SavedState;
    return new PatternMiner(storage, file, options, saved);
  }

  /** How far behind the miner is: now minus the stored_at it has mined up to (0 before any line; this host's clock). */
  lagMs(): number {
    return this.cursor.stored === 0 ? 0 : Math.max(0, this.options.now() - this.cursor.stored);
  }

  /** The Drain of an environment and service, for matching on read. */
  drainOf(environment: string, service: string): Drain | undefined {
    return this.drains.get(key(environment, service));
  }

  start(): void {
    const tick = async () => {
      this.timer = undefined;
      try {
        this.running = this.catchUp();
        await this.running;
      } catch (error) {
        this.options.log?.('mining log patterns failed; will retry', error);
      }
      if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs).unref();
    };
    this.timer = setTimeout(tick, this.options.intervalMs).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Mines until the settled lines are all read; the lines mined. */
  async catchUp(): Promise<number> {
    let total = 0;
    for (;;) {
      const { lines, more } = await this.serial(() => this.pass());
      total += lines;
      if (!more || this.stopped) return total;
      // Catching up on a burst: the pass's read memory is given back before the next
      // (housekeeping: a failure costs memory, not data).
      await this.storage.releaseFreedMemory().catch(() => undefined);
      // Let requests in between passes: the miner shares the event loop with ingest.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Runs `work` between two passes, with the cursor that the counts written
   * so far correspond to (a hand-over exports the counts and this cursor
   * together, so the importing miner neither misses nor recounts a line).
   */
  hold<T>(work: (cursor: Readonly<Cursor>) => Promise<T>): Promise<T> {
    return this.serial(() => work(this.cursor));
  }

  /** Writes the state a miner opening `dataDir` starts from: a hand-over's trees and cursor (the data directory's server is stopped). */
  static seed(dataDir: string, cursor: Cursor, drains: Record<string, DrainState>): void {
    const byKey = Object.fromEntries(Object.entries(drains).map(([scope, state]) => {
      const slash = scope.indexOf('/');
      return [key(scope.slice(0, slash), scope.slice(slash + 1)), state];
    }));
    writeState(path.join(dataDir, 'patterns', 'state.json'), { version: 1, cursor, drains: byKey });
  }

  /** Every Drain's state by `environment/service`: the learned part of the state, for export. */
  exportDrains(): Record<string, DrainState> {
    return Object.fromEntries([...this.drains].map(([k, d]) => [k.replace('\u0000', '/'), d.exportState()]));
  }

  /**
   * Takes Drains learned elsewhere (a hand-over) for the services this
   * miner has not learned yet; a service it already knows keeps its own
   * tree (two trees cannot be merged into the one either would have grown).
   */
  importDrains(states: Record<string, DrainState>): Promise<{ added: string[]; kept: string[] }> {
    return this.serial(async () => {
      const added: string[] = [];
      const kept: string[] = [];
      for (const [scope, state] of Object.entries(states)) {
        const slash = scope.indexOf('/');
        const k = key(scope.slice(0, slash), scope.slice(slash + 1));
        if (this.drains.has(k)) kept.push(scope);
        else {
          this.drains.set(k, Drain.fromState(state));
          added.push(scope);
        }
      }
      if (added.length) this.save();
      return { added, kept };
    });
  }

  /**
   * One read of lines stored after the cursor: mined, counted, appended, and
   * the state saved. `more` while the window has lines left.
   */
  private async pass(): Promise<{ lines: number; more: boolean }> {
    let c = this.cursor;
    if (c.after) c = { stored: c.stored - 1, window: { upTo: c.stored, after: c.after } }; // a state saved by the first miner
    let upTo = c.window?.upTo;
    if (upTo === undefined) {
      // The engine's clock, not ours: stored_at is the engine's, and a server's clock may differ from this host's.
      const [clock] = await this.storage.query<{ now: number }>(sql`SELECT toUnixTimestamp64Milli(now64(3)) AS now`);
      upTo = Number(clock!.now) - this.options.settleMs;
      // A load still running has stamped its rows but not shown them yet (loads run beside
      // reads): the window ends before it, or a load slower than the settle would be skipped.
      const loading = this.storage.loadInFlightSince();
      if (loading !== undefined) upTo = Math.min(upTo, loading - 1);
      if (upTo <= c.stored) return { lines: 0, more: false };
    }
    // A new window is saved as its first line arrives, before any line changes the trees: after a
    // crash between this pass's counts and the state's save, the pass is read again in the same
    // window, so its counts carry the same token and the engine drops them as duplicates (a new
    // window would count them twice). An empty window is not saved (no write a second when idle).
    let unsaved = !c.window;
    c = { stored: c.stored, window: c.window ?? { upTo } };
    // Spelled out rather than as a tuple comparison, which the engine does not use to skip by the primary key.
    const k = c.window?.after;
    const after = k
      ? sql` AND (environment > ${k[0]} OR (environment = ${k[0]} AND (service > ${k[1]} OR (service = ${k[1]} AND (host > ${k[2]} OR (host = ${k[2]} AND timestamp > ${ts(k[3])}))))))`
      : sql``;
    const window = sql`FROM logs PREWHERE stored_at > ${ts(c.stored)} AND stored_at <= ${ts(upTo)}`;
    const columns = sql`SELECT environment, service, host, toUnixTimestamp64Milli(timestamp) AS t, level, message, toUnixTimestamp(toStartOfMinute(timestamp)) AS minute`;
    const batch = this.batch();
    // A key's lines (environment, service, host, millisecond) are mined together, as the cursor
    // moves past whole keys. The read stops at the batch's size without WITH TIES (which held
    // ~50 MiB more of the engine's memory a pass), so the last key of a full batch may go on
    // past it: its lines wait for the next pass, which reads them from the start.
    let group: Line[] = [];
    let last: Line | undefined;
    // Line by line as the rows are parsed: a pass's lines held as one array outlived
    // V8's young generation and piled up in the old one (the server's memory swung by ~140 MiB while mining a burst).
    const read = await this.storage.eachRow<Line>(
      sql`${columns} ${window}${after} ORDER BY environment, service, host, timestamp LIMIT ${typed(this.options.batchLines, 'UInt32')}`,
      (line) => {
        if (unsaved) {
          unsaved = false;
          this.cursor = c;
          this.save();
        }
        if (group.length && !sameKey(group[0]!, line)) {
          for (const l of group) batch.mine(l);
          last = group.at(-1);
          group = [];
        }
        group.push(line);
      },
    );
    const more = read >= this.options.batchLines;
    if (!more) {
      for (const l of group) batch.mine(l);
      last = group.at(-1) ?? last;
    } else if (!last) {
      // One key fills the batch (more lines of one millisecond from one host and service): all of its lines at once.
      const [first] = group;
      last = first;
      await this.storage.eachRow<Line>(
        sql`${columns} ${window} AND environment = ${first!.environment} AND service = ${first!.service} AND host = ${first!.host} AND timestamp = ${ts(Number(first!.t))}`,
        (line) => batch.mine(line),
      );
    }
    if (!last) {
      this.cursor = { stored: upTo };
      return { lines: 0, more: false };
    }
    const token = `patterns-${JSON.stringify(c)}-${upTo}-${last.t}`;
    await batch.write(token);
    this.cursor = more ? { stored: c.stored, window: { upTo, after: [last.environment, last.service, last.host, Number(last.t)] } } : { stored: upTo };
    this.save();
    this.mined += batch.lines;
    return { lines: batch.lines, more };
  }

  /** A pass's counts per pattern, level and minute, and its new or generalised templates, as lines are mined. */
  private batch() {
    const counts = new Map<string, { environment: string; service: string; level: string; pattern: string; time: number; count: number; example: string }>();
    const templates: { id: string; environment: string; service: string; template: string; first_seen: string; replaced_by: string; recorded_at: string }[] = [];
    const at = dateTimeText(this.options.now());
    let lines = 0;
    return {
      get lines() {
        return lines;
      },
      mine: (line: Line) => {
        lines++;
        const k = key(line.environment, line.service);
        let drain = this.drains.get(k);
        if (!drain) this.drains.set(k, (drain = new Drain({ scope: `${line.environment}/${line.service}` })));
        const got = drain.add(line.message);
        const minute = Number(line.minute) * 1000;
        if (got.created || got.previousId) {
          templates.push({ id: got.id, environment: line.environment, service: line.service, template: got.template, first_seen: dateTimeText(minute), replaced_by: '', recorded_at: at });
          if (got.previousId) templates.push({ id: got.previousId, environment: line.environment, service: line.service, template: '', first_seen: dateTimeText(minute), replaced_by: got.id, recorded_at: at });
        }
        const c = `${k}\u0000${line.level}\u0000${got.id}\u0000${minute}`;
        const entry = counts.get(c);
        if (entry) entry.count++;
        else counts.set(c, { environment: line.environment, service: line.service, level: line.level, pattern: got.id, time: minute, count: 1, example: line.message.slice(0, 2000) });
      },
      write: async (token: string) => {
        const rows = [...counts.values()].map((r) => ({ ...r, time: dateTimeText(r.time).slice(0, 19) }));
        await this.storage.insertRows('log_pattern_counts', rows, token);
        if (templates.length) await this.storage.insertRows('log_patterns', templates, `${token}-templates`);
      },
    };
  }

  private save(): void {
    writeState(this.file, { version: 1, cursor: this.cursor, drains: Object.fromEntries([...this.drains].map(([k, d]) => [k, d.exportState()])) });
  }
}

function writeState(file: string, state: SavedState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(state));
  fs.renameSync(temporary, file);
}
