import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Storage } from '../storage/client.ts';
import { dateTimeText, sql } from '../storage/sql.ts';
import { serialQueue } from '../shared/serial.ts';
import { AppError } from '../http/errors.ts';
import { askersOf, type Bilingual, type OperationRegistry, type RunProgress, type RunResult } from './operations.ts';

export type RequestState = 'pending' | 'approved' | 'rejected' | 'expired' | 'ran' | 'failed';
/** Who acts on a request; `system` is Mimamori itself (a shorter retention found in the YAML). */
export interface Who {
  name: string;
  role: string;
}

export interface RequestView {
  id: string;
  operation: string;
  params: Record<string, unknown>;
  /** What it was described as when asked (English); the view describes it again in both languages. */
  detail: string;
  reason: string;
  requester: Who;
  createdAt: number;
  expiresAt: number;
  state: RequestState;
  decidedBy?: Who;
  decidedAt?: number;
  decisionReason?: string;
  ranAt?: number;
  result?: RunResult;
  error?: string;
  /** Exports: until when the files may be downloaded (then they are deleted). */
  filesUntil?: number;
  filesDeleted: boolean;
  downloads: { by: string; at: number; file: string }[];
  /** While it runs: how far (in memory only; a long export reports it). */
  progress?: RunProgress;
}

/** A request not decided within this is expired; an export's files live this long after it ran. */
export const REQUEST_LIFETIME_MS = 7 * 86_400_000;
const DECIDERS = new Set(['approver', 'admin']);

interface EventRow {
  at: number;
  id: string;
  event: string;
  actor: string;
  role: string;
  operation: string;
  params: string;
  reason: string;
  detail: string;
}

/**
 * Four-eyes requests: made by one person, run only after a different person
 * with the approver or admin role approves them, and then exactly once.
 * Every step is an event (request_events), so state survives restarts.
 */
export class Requests {
  private readonly byId = new Map<string, RequestView>();
  private readonly serial = serialQueue();

  private constructor(
    private readonly storage: Storage,
    private readonly operations: OperationRegistry,
    private readonly exportsDir: string,
    private readonly now: () => number,
    private readonly flushAudit: () => Promise<void>,
  ) {}

  static async open(storage: Storage, operations: OperationRegistry, dataDir: string, now: () => number, flushAudit: () => Promise<void>): Promise<Requests> {
    const requests = new Requests(storage, operations, path.join(dataDir, 'exports'), now, flushAudit);
    const rows = await storage.query<EventRow>(sql`SELECT toUnixTimestamp64Milli(at) AS at, id, event, actor, role, operation, params, reason, detail FROM request_events ORDER BY at, event = 'created' DESC`);
    for (const row of rows) requests.apply({ ...row, at: Number(row.at) });
    return requests;
  }

  /** Runs what was approved just before a crash and not yet run (every operation may run again without harm); once every capability has registered its operations. */
  resume(): void {
    for (const r of this.list().filter((x) => x.state === 'approved')) void this.run(r).catch(() => undefined);
  }

  list(): RequestView[] {
    return [...this.byId.values()].sort((a, b) => b.createdAt - a.createdAt);
  }

  /** What a request will do, in both languages; an operation no longer registered keeps the words it was stored with. */
  describe(r: RequestView): Bilingual {
    return this.operations.get(r.operation)?.describe(r.params) ?? { ja: r.detail, en: r.detail };
  }

  get(id: string): RequestView {
    const found = this.byId.get(id);
    if (!found) throw new AppError(404, 'not_found', `no request ${id}`, [{ field: 'id', reason: 'not found' }]);
    return found;
  }

  create(operation: string, params: Record<string, unknown>, reason: string, by: Who): Promise<RequestView> {
    const op = this.operations.get(operation);
    if (!op) throw new AppError(400, 'unknown_operation', `no operation ${operation} (one of ${this.operations.list().map((o) => o.name).join(', ')})`, [{ field: 'operation', reason: 'unknown' }]);
    const askers = askersOf(op);
    if (by.role !== 'system' && !askers.includes(by.role)) throw new AppError(403, 'forbidden', `${operation} is asked for by ${askers.join(' or ')}`, [{ field: 'operation', reason: `${by.role} may not ask for it` }]);
    const normal = op.validate(params, this.now());
    return this.serial(async () => {
      const id = `REQ-${new Date(this.now()).toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;
      await this.record(id, 'created', by, operation, normal, reason, op.describe(normal).en);
      return this.get(id);
    });
  }

  /** The open request for this operation and these parameters, if any (so Mimamori does not ask twice). */
  pending(operation: string, params: Record<string, unknown>): RequestView | undefined {
    const op = this.operations.get(operation);
    const key = JSON.stringify(op ? op.validate(params, this.now()) : params);
    return this.list().find((r) => r.operation === operation && JSON.stringify(r.params) === key && (r.state === 'pending' || r.state === 'approved'));
  }

  /**
   * Approves and starts the operation. The answer waits for it up to
   * `waitMs` (an export of a day is done by then); a longer one goes on in
   * the background, its state `approved` until it ran or failed.
   */
  async approve(id: string, by: Who, waitMs = 10_000): Promise<RequestView> {
    const request = await this.serial(async () => {
      const r = this.decidable(id, by);
      await this.record(id, 'approved', by);
      return r;
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.run(request), new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
    return this.get(id);
  }

  /** Runs an approved request's operation; its outcome is an event. */
  private async run(request: RequestView): Promise<void> {
    const op = this.operations.get(request.operation)!;
    const system = { name: 'mimamori', role: 'system' };
    try {
      const progress = (p: RunProgress) => void (request.progress = p);
      const result = await op.run(request.params as never, { storage: this.storage, dir: path.join(this.exportsDir, request.id), now: this.now(), flushAudit: this.flushAudit, requester: request.requester, approver: request.decidedBy, progress }).finally(() => (request.progress = undefined));
      await this.record(request.id, 'ran', system, undefined, undefined, undefined, JSON.stringify(result));
    } catch (error) {
      await this.record(request.id, 'failed', system, undefined, undefined, undefined, (error as Error).message.slice(0, 1000));
    }
  }

  reject(id: string, by: Who, reason: string): Promise<RequestView> {
    return this.serial(async () => {
      const request = this.get(id);
      // The requester may withdraw their own request; deciding on someone else's needs the role.
      if (request.requester.name !== by.name) this.decidable(id, by);
      else if (this.refreshState(request) !== 'pending') throw notPending(request);
      await this.record(id, 'rejected', by, undefined, undefined, reason);
      return this.get(id);
    });
  }

  /** The path of an export's file for its requester or its approver, recording the download. */
  download(id: string, file: string, by: Who): Promise<string> {
    return this.serial(async () => {
      const request = this.get(id);
      if (request.state !== 'ran' || !request.result?.files.includes(file)) throw new AppError(404, 'not_found', `request ${id} has no file ${file}`, [{ field: 'file', reason: 'not found' }]);
      if (by.name !== request.requester.name && by.name !== request.decidedBy?.name) throw new AppError(403, 'forbidden', 'only the requester and the approver may download it', [{ field: 'id', reason: 'not yours' }]);
      if (request.filesDeleted || this.now() > request.filesUntil!) throw new AppError(410, 'gone', `the files of ${id} were kept for 7 days and are deleted`, [{ field: 'id', reason: 'expired' }]);
      await this.record(id, 'downloaded', by, undefined, undefined, undefined, file);
      return path.join(this.exportsDir, id, file);
    });
  }

  /** Expires undecided requests and deletes exports past their 7 days; each is an event. */
  sweep(): Promise<void> {
    return this.serial(async () => {
      const system = { name: 'mimamori', role: 'system' };
      for (const r of this.list()) {
        if (r.state === 'pending' && this.now() > r.expiresAt) await this.record(r.id, 'expired', system);
        if (r.state === 'ran' && !r.filesDeleted && r.filesUntil && this.now() > r.filesUntil) {
          fs.rmSync(path.join(this.exportsDir, r.id), { recursive: true, force: true });
          await this.record(r.id, 'deleted', system);
        }
      }
    });
  }

  private decidable(id: string, by: Who): RequestView {
    const request = this.get(id);
    if (!DECIDERS.has(by.role)) throw new AppError(403, 'forbidden', 'deciding a request needs the approver or admin role', [{ field: 'role', reason: `${by.role} may not decide` }]);
    if (request.requester.name === by.name) throw new AppError(403, 'own_request', 'a request is decided by someone other than its requester', [{ field: 'id', reason: 'your own request' }]);
    if (this.refreshState(request) !== 'pending') throw notPending(request);
    return request;
  }

  /** A pending request past its 7 days is expired from that moment, swept or not. */
  private refreshState(request: RequestView): RequestState {
    return request.state === 'pending' && this.now() > request.expiresAt ? 'expired' : request.state;
  }

  private async record(id: string, event: string, by: Who, operation = '', params: Record<string, unknown> = {}, reason = '', detail = ''): Promise<void> {
    const row: EventRow = { at: this.now(), id, event, actor: by.name, role: by.role, operation, params: JSON.stringify(params), reason, detail };
    await this.storage.insertRows('request_events', [{ ...row, at: dateTimeText(row.at) }], `request-${id}-${event}-${row.at}-${randomBytes(4).toString('hex')}`);
    this.apply(row);
  }

  private apply(e: EventRow): void {
    const by = { name: e.actor, role: e.role };
    if (e.event === 'created') {
      const params = JSON.parse(e.params) as Record<string, unknown>;
      this.byId.set(e.id, { id: e.id, operation: e.operation, params, detail: e.detail, reason: e.reason, requester: by, createdAt: e.at, expiresAt: e.at + REQUEST_LIFETIME_MS, state: 'pending', filesDeleted: false, downloads: [] });
      return;
    }
    const r = this.byId.get(e.id);
    if (!r) return;
    if (e.event === 'approved' || e.event === 'rejected' || e.event === 'expired') Object.assign(r, { state: e.event, decidedBy: e.event === 'expired' ? undefined : by, decidedAt: e.at, decisionReason: e.reason || undefined });
    else if (e.event === 'ran') Object.assign(r, { state: 'ran', ranAt: e.at, result: JSON.parse(e.detail) as RunResult, filesUntil: e.at + REQUEST_LIFETIME_MS });
    else if (e.event === 'failed') Object.assign(r, { state: 'failed', ranAt: e.at, error: e.detail });
    else if (e.event === 'downloaded') r.downloads.push({ by: e.actor, at: e.at, file: e.detail });
    else if (e.event === 'deleted') r.filesDeleted = true;
  }
}

const notPending = (r: RequestView) => new AppError(409, 'not_pending', `request ${r.id} is ${r.state === 'pending' ? 'expired' : r.state}, not waiting for a decision`, [{ field: 'id', reason: r.state }]);
