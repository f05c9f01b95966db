import fs from 'node:fs/promises';
import path from 'node:path';
import type { AgentIdentity, Collector, Sink } from '../core/types.ts';
import type { LogSourceConfig } from '../config.ts';
import type { Spool } from '../core/spool.ts';
import { expandGlob } from './glob.ts';
import { DEFAULT_ROTATE_WAIT_MS, TrackedFile, type FilePosition } from './tracked-file.ts';
import { findRenamedFile } from './recover.ts';
import { splitEvents } from './events.ts';
import { parseEvent } from './parse.ts';

const CHECKPOINT_OWNER = 'logs';
const READ_CHUNK_BYTES = 1024 * 1024;
const MAX_LINE_BYTES = 60 * 1024;
/** A multiline event with no new line for this long is complete. */
const HOLD_MS = 1000;

/** A checkpointed position also names the source (its path glob) it was followed for. */
type SavedPosition = FilePosition & { glob?: string };
interface Followed {
  file: TrackedFile;
  source: LogSourceConfig;
}

const rotateWaitMs = (source: LogSourceConfig): number => source.rotateWaitMs ?? DEFAULT_ROTATE_WAIT_MS;

/**
 * Follows log files by glob. Files are tracked by inode with a fingerprint
 * of their first bytes, so rename rotation and copy-truncate are followed;
 * a file renamed out of its glob is still read until it has been quiet for
 * rotate_wait, because its writer appends to it until told to reopen.
 * Positions are saved in the spool together with the lines they produced,
 * so after a crash nothing is sent twice and nothing is skipped.
 */
export class LogTailCollector implements Collector {
  readonly name = 'logs';
  readonly intervalMs = 250;
  private readonly tracked = new Map<string, Followed>();
  /** Positions from before a restart; used in the first round only (later, an inode may have been reused). */
  private saved: SavedPosition[];

  constructor(
    private readonly id: AgentIdentity,
    private readonly sources: LogSourceConfig[],
    spool: Spool,
  ) {
    this.saved = ((spool.checkpoint(CHECKPOINT_OWNER) as { files?: SavedPosition[] } | undefined)?.files ?? []).slice();
  }

  async collect(sink: Sink, now: number): Promise<void> {
    const inGlob = await this.followGlobs(now);
    if (this.saved.length > 0) {
      await this.recoverRenamed(inGlob, now);
      this.saved = [];
    }
    for (const [key, followed] of this.tracked) {
      const { file, source } = followed;
      // Renamed away (or deleted) but maybe still written to: followed by inode until quiet for rotate_wait.
      file.leftGlobAt = inGlob.has(key) ? undefined : (file.leftGlobAt ?? now);
      await this.readFile(sink, followed, now, false);
      if (file.leftGlobAt !== undefined && file.quietOutsideGlobMs(now) >= rotateWaitMs(source)) await this.release(sink, key, followed, now);
    }
  }

  /** Tracks every file the globs match; returns their keys (dev:inode). */
  private async followGlobs(now: number): Promise<Set<string>> {
    const inGlob = new Set<string>();
    for (const source of this.sources) {
      for (const file of await expandGlob(source.path)) {
        const stat = await fs.stat(file).catch(() => undefined);
        if (!stat) continue;
        const key = `${stat.dev}:${stat.ino}`;
        inGlob.add(key);
        const known = this.tracked.get(key);
        if (known) known.file.position.path = file;
        else await this.track(file, source, this.saved.find((p) => p.dev === stat.dev && p.ino === stat.ino), now);
      }
    }
    return inGlob;
  }

  /**
   * Files followed before a restart that have left their glob since (rotated
   * while the agent was down, or while it followed them): found again by inode
   * and followed from the saved offset until quiet for rotate_wait.
   */
  private async recoverRenamed(inGlob: Set<string>, now: number): Promise<void> {
    for (const position of this.saved) {
      if (inGlob.has(`${position.dev}:${position.ino}`)) continue;
      const source = this.sources.find((s) => s.path === position.glob) ?? this.sources.find((s) => path.dirname(s.path) === path.dirname(position.path));
      const renamed = source && (await findRenamedFile(position));
      if (renamed) await this.track(renamed, source, position, now);
    }
  }

  /** Out of its glob and quiet for rotate_wait: its writer has reopened. The last unfinished line is read, then the file is let go. */
  private async release(sink: Sink, key: string, followed: Followed, now: number): Promise<void> {
    await this.readFile(sink, followed, now, true);
    await followed.file.close();
    this.tracked.delete(key);
    await sink.write('logs', [], this.checkpoint());
  }

  private checkpoint() {
    const files: SavedPosition[] = [...this.tracked.values()].map(({ file, source }) => ({ ...file.position, glob: source.path }));
    return { owner: CHECKPOINT_OWNER, state: { files } };
  }

  async close(): Promise<void> {
    for (const { file } of this.tracked.values()) await file.close();
    this.tracked.clear();
  }

  private async track(file: string, source: LogSourceConfig, saved: FilePosition | undefined, now: number): Promise<void> {
    // A file without a saved position is read from its beginning.
    const tracked = await TrackedFile.open(file, saved, now);
    if (!tracked) return;
    if (this.tracked.has(tracked.key)) await tracked.close(); // another name (hard link) of a followed file
    else this.tracked.set(tracked.key, { file: tracked, source });
  }

  /** Reads what is new, a chunk at a time; each chunk's records are spooled with the position they reach. */
  private async readFile(sink: Sink, { file, source }: Followed, now: number, final: boolean): Promise<void> {
    for (;;) {
      const before = file.position.offset;
      const chunk = await file.readNew(READ_CHUNK_BYTES, now);
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
