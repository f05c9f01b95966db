import fs from 'node:fs/promises';
import path from 'node:path';
import type { AgentIdentity, Collector, Sink } from '../core/types.ts';
import type { LogSourceConfig } from '../config.ts';
import type { Spool } from '../core/spool.ts';
import { expandGlob } from './glob.ts';
import { TrackedFile, fingerprintOf, type FilePosition } from './tracked-file.ts';
import { splitEvents } from './events.ts';
import { parseEvent } from './parse.ts';

const CHECKPOINT_OWNER = 'logs';
const READ_CHUNK_BYTES = 1024 * 1024;
const MAX_LINE_BYTES = 60 * 1024;
/** A multiline event with no new line for this long is complete. */
const HOLD_MS = 1000;

/**
 * Follows log files by glob. Files are tracked by inode with a fingerprint
 * of their first bytes, so rename rotation and copy-truncate are followed;
 * positions are saved in the spool together with the lines they produced,
 * so after a crash nothing is sent twice and nothing is skipped.
 */
export class LogTailCollector implements Collector {
  readonly name = 'logs';
  readonly intervalMs = 250;
  private readonly tracked = new Map<string, { file: TrackedFile; source: LogSourceConfig }>();
  private saved: FilePosition[];
  private firstRound = true;

  constructor(
    private readonly id: AgentIdentity,
    private readonly sources: LogSourceConfig[],
    spool: Spool,
  ) {
    this.saved = ((spool.checkpoint(CHECKPOINT_OWNER) as { files?: FilePosition[] } | undefined)?.files ?? []).slice();
  }

  async collect(sink: Sink, now: number): Promise<void> {
    const seen = new Set<string>();
    for (const source of this.sources) {
      for (const file of await expandGlob(source.path)) {
        const stat = await fs.stat(file).catch(() => undefined);
        if (!stat) continue;
        const key = `${stat.dev}:${stat.ino}`;
        seen.add(key);
        const known = this.tracked.get(key);
        if (known) known.file.position.path = file;
        else await this.track(file, source, this.saved.find((p) => p.dev === stat.dev && p.ino === stat.ino));
      }
    }
    if (this.firstRound) await this.recoverRotatedAway(seen);
    this.firstRound = false;

    for (const [key, { file, source }] of this.tracked) {
      const gone = !seen.has(key);
      await this.readFile(sink, file, source, now, gone);
      if (gone) {
        // Renamed out of the glob or deleted: everything it held has been read.
        await file.close();
        this.tracked.delete(key);
        await sink.write('logs', [], this.checkpoint());
      }
    }
  }

  private checkpoint() {
    return { owner: CHECKPOINT_OWNER, state: { files: [...this.tracked.values()].map((t) => ({ ...t.file.position })) } };
  }

  async close(): Promise<void> {
    for (const { file } of this.tracked.values()) await file.close();
    this.tracked.clear();
  }

  private async track(file: string, source: LogSourceConfig, saved: FilePosition | undefined): Promise<void> {
    // A file without a saved position is read from its beginning.
    const tracked = await TrackedFile.open(file, saved);
    if (tracked) this.tracked.set(tracked.key, { file: tracked, source });
  }

  /** A file rotated by rename while the agent was down: finish it from where we were, if it is still there. */
  private async recoverRotatedAway(seen: Set<string>): Promise<void> {
    for (const position of this.saved) {
      if (seen.has(`${position.dev}:${position.ino}`)) continue;
      const dir = path.dirname(position.path);
      for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
        const candidate = path.join(dir, name);
        const stat = await fs.stat(candidate).catch(() => undefined);
        if (!stat || stat.dev !== position.dev || stat.ino !== position.ino) continue;
        const handle = await fs.open(candidate, 'r');
        const same = (await fingerprintOf(handle, position.fingerprintLength)).fingerprint === position.fingerprint;
        await handle.close();
        const source = this.sources.find((s) => path.dirname(s.path) === dir) ?? this.sources[0]!;
        if (same) await this.track(candidate, source, position);
      }
    }
  }

  /** Reads what is new, a chunk at a time; each chunk's records are spooled with the position they reach. */
  private async readFile(sink: Sink, file: TrackedFile, source: LogSourceConfig, now: number, final: boolean): Promise<void> {
    for (;;) {
      const before = file.position.offset;
      const chunk = await file.readNew(READ_CHUNK_BYTES);
      const idle = file.heldSince !== undefined && now - file.heldSince >= HOLD_MS;
      const { events, consumed, holding } = splitEvents(chunk, { multilineStart: source.multilineStart, maxLineBytes: MAX_LINE_BYTES, flush: final || idle });
      file.heldSince = holding ? (file.heldSince ?? now) : undefined;
      file.position.offset += consumed;
      if (events.length > 0 || file.position.offset !== before) {
        await sink.write('logs', events.map((text) => this.record(text, source, now)), this.checkpoint());
      }
      if (chunk.length < READ_CHUNK_BYTES || consumed === 0) return;
    }
  }

  private record(text: string, source: LogSourceConfig, now: number): string {
    const event = parseEvent(text, source.format, now);
    return JSON.stringify({
      timestamp: event.timestamp,
      environment: source.environment,
      host: this.id.host,
      service: source.service,
      level: event.level,
      message: event.message,
      ...(Object.keys(event.attributes).length ? { attributes: event.attributes } : {}),
    });
  }
}
