import { randomBytes } from 'node:crypto';
import type { Storage } from '../storage/client.ts';
import { dateTimeText, sql } from '../storage/sql.ts';
import { AppError } from '../http/errors.ts';
import { serialQueue } from '../shared/serial.ts';
import type { K6Run } from './k6/model.ts';

export type Decision = 'go' | 'no_go' | 'go_with_conditions';

export interface DecisionRecord {
  decision: Decision;
  comment: string;
  by: string;
  role: string;
  at: number;
}

export interface Release {
  id: string;
  environment: string;
  version: string;
  summary: string;
  link: string;
  releasedAt: number;
  createdBy: string;
  createdAt: number;
  /** Attached k6 runs, oldest first. */
  runs: string[];
  /** Every decision, oldest first; the last one stands. */
  decisions: DecisionRecord[];
}

export interface StoredRun {
  id: string;
  at: number;
  uploadedBy: string;
  environment: string;
  fileName: string;
  run: K6Run;
  /** The release it is attached to, once it is. */
  releaseId: string | null;
}

interface EventRow {
  at: number;
  id: string;
  event: 'created' | 'run_attached' | 'decided';
  actor: string;
  role: string;
  environment: string;
  version: string;
  summary: string;
  link: string;
  released_at: number;
  run_id: string;
  decision: string;
  comment: string;
}

const newId = (prefix: string, at: number) => `${prefix}-${dateTimeText(at).slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;
const ms = (value: unknown) => Number(value);

/**
 * The release history (item 10) and the k6 runs behind each go/no-go (item
 * 11), append-only: events in `release_events`, runs in `loadtest_runs`,
 * folded in memory at start like the other ledgers.
 */
export class ReleaseBook {
  private readonly releases = new Map<string, Release>();
  private readonly runs = new Map<string, StoredRun>();
  private readonly serial = serialQueue();

  private constructor(
    private readonly storage: Storage,
    private readonly now: () => number,
  ) {}

  static async open(storage: Storage, now: () => number): Promise<ReleaseBook> {
    const book = new ReleaseBook(storage, now);
    const runs = await storage.query<{ at: number; id: string; uploaded_by: string; environment: string; file_name: string; run: string }>(sql`
      SELECT toUnixTimestamp64Milli(at) AS at, id, uploaded_by, environment, file_name, run FROM loadtest_runs ORDER BY at`);
    for (const r of runs) book.runs.set(r.id, { id: r.id, at: ms(r.at), uploadedBy: r.uploaded_by, environment: r.environment, fileName: r.file_name, run: JSON.parse(r.run) as K6Run, releaseId: null });
    const events = await storage.query<EventRow>(sql`
      SELECT toUnixTimestamp64Milli(at) AS at, id, event, actor, role, environment, version, summary, link, toUnixTimestamp64Milli(released_at) AS released_at, run_id, decision, comment
      FROM release_events ORDER BY at, event`);
    for (const e of events) book.apply({ ...e, at: ms(e.at), released_at: ms(e.released_at) });
    return book;
  }

  /** Newest release first. */
  list(environment?: string): Release[] {
    return [...this.releases.values()].filter((r) => !environment || r.environment === environment).sort((a, b) => b.releasedAt - a.releasedAt || b.createdAt - a.createdAt);
  }

  get(id: string): Release {
    const release = this.releases.get(id);
    if (!release) throw new AppError(404, 'not_found', `no release ${id}`, [{ field: 'id', reason: 'not found' }]);
    return release;
  }

  run(id: string): StoredRun {
    const run = this.runs.get(id);
    if (!run) throw new AppError(404, 'not_found', `no load-test run ${id}`, [{ field: 'run_id', reason: 'not found' }]);
    return run;
  }

  /** Runs waiting to be attached, newest first. */
  unattached(): StoredRun[] {
    return [...this.runs.values()].filter((r) => !r.releaseId).sort((a, b) => b.at - a.at);
  }

  /** The newest release before this one in its environment (by release time) that has a run attached: what the comparison is made against. */
  previous(release: Release): Release | undefined {
    return this.list(release.environment).find((r) => (r.releasedAt < release.releasedAt || (r.releasedAt === release.releasedAt && r.createdAt < release.createdAt)) && r.runs.length > 0);
  }

  create(entry: { environment: string; version: string; summary: string; link: string; releasedAt: number }, actor: { name: string; role: string }): Promise<Release> {
    return this.serial(async () => {
      if (this.list(entry.environment).some((r) => r.version === entry.version)) throw new AppError(409, 'version_exists', `${entry.environment} already has a release ${entry.version}`, [{ field: 'version', reason: 'exists in this environment' }]);
      const at = this.now();
      const id = newId('REL', at);
      await this.write({ ...blank(at, id, 'created', actor), environment: entry.environment, version: entry.version, summary: entry.summary, link: entry.link, released_at: entry.releasedAt });
      return this.get(id);
    });
  }

  /** Stores an uploaded run; attached to `releaseId` at once when given. */
  addRun(run: K6Run, meta: { uploadedBy: string; environment: string; fileName: string }, releaseId: string | undefined, actor: { name: string; role: string }): Promise<StoredRun> {
    return this.serial(async () => {
      if (releaseId) this.get(releaseId);
      const at = this.now();
      const id = newId('RUN', at);
      await this.storage.insertRows('loadtest_runs', [{ at: dateTimeText(at), id, uploaded_by: meta.uploadedBy, environment: meta.environment, file_name: meta.fileName, format: run.format, run: JSON.stringify(run) }], `loadtest-run-${id}`);
      this.runs.set(id, { id, at, uploadedBy: meta.uploadedBy, environment: meta.environment, fileName: meta.fileName, run, releaseId: null });
      if (releaseId) await this.attachNow(releaseId, id, actor);
      return this.run(id);
    });
  }

  attach(releaseId: string, runId: string, actor: { name: string; role: string }): Promise<Release> {
    return this.serial(async () => {
      await this.attachNow(releaseId, runId, actor);
      return this.get(releaseId);
    });
  }

  decide(releaseId: string, decision: Decision, comment: string, actor: { name: string; role: string }): Promise<Release> {
    return this.serial(async () => {
      const release = this.get(releaseId);
      if (release.runs.length === 0) throw new AppError(409, 'no_test_result', `${releaseId} has no k6 run attached: the decision is made from the test-result report`, [{ field: 'id', reason: 'no run attached' }]);
      await this.write({ ...blank(this.now(), releaseId, 'decided', actor), environment: release.environment, version: release.version, decision, comment });
      return this.get(releaseId);
    });
  }

  private async attachNow(releaseId: string, runId: string, actor: { name: string; role: string }): Promise<void> {
    const release = this.get(releaseId);
    const run = this.run(runId);
    if (run.releaseId) throw new AppError(409, 'already_attached', `${runId} is attached to ${run.releaseId}`, [{ field: 'run_id', reason: `attached to ${run.releaseId}` }]);
    // A run is evidence for its own environment only: a staging run must not be judged or compared as production's.
    if (run.environment !== release.environment) {
      throw new AppError(409, 'environment_mismatch', `${runId} was run against ${run.environment}, but ${releaseId} is a release of ${release.environment}`, [{ field: 'run_id', reason: `environment ${run.environment}, release environment ${release.environment}` }]);
    }
    await this.write({ ...blank(this.now(), releaseId, 'run_attached', actor), environment: release.environment, version: release.version, run_id: runId });
  }

  private async write(row: EventRow): Promise<void> {
    await this.storage.insertRows('release_events', [{ ...row, at: dateTimeText(row.at), released_at: dateTimeText(row.released_at) }], `release-${row.id}-${row.event}-${row.at}-${row.run_id}`);
    this.apply(row);
  }

  private apply(e: EventRow): void {
    if (e.event === 'created') {
      this.releases.set(e.id, { id: e.id, environment: e.environment, version: e.version, summary: e.summary, link: e.link, releasedAt: e.released_at, createdBy: e.actor, createdAt: e.at, runs: [], decisions: [] });
      return;
    }
    const release = this.releases.get(e.id);
    if (!release) return;
    if (e.event === 'run_attached') {
      release.runs.push(e.run_id);
      const run = this.runs.get(e.run_id);
      if (run) run.releaseId = e.id;
    } else if (e.event === 'decided') {
      release.decisions.push({ decision: e.decision as Decision, comment: e.comment, by: e.actor, role: e.role, at: e.at });
    }
  }
}

function blank(at: number, id: string, event: EventRow['event'], actor: { name: string; role: string }): EventRow {
  return { at, id, event, actor: actor.name, role: actor.role, environment: '', version: '', summary: '', link: '', released_at: 0, run_id: '', decision: '', comment: '' };
}
