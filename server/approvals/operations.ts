import type { Storage } from '../storage/client.ts';

/** What an operation needs to run: the store, where its files go, the clock. */
export interface RunContext {
  storage: Storage;
  /** <data>/exports/<request id>/: an export writes its files here. */
  dir: string;
  now: number;
  /** Loads audit entries still in the audit WAL into ClickHouse, so an export of the trail includes its own request. */
  flushAudit(): Promise<void>;
  requester: { name: string; role: string };
  approver?: { name: string; role: string };
  /** Says how far a long run is (shown to whoever waits for it). */
  progress?(progress: RunProgress): void;
}

export interface RunProgress {
  done: number;
  total: number;
  /** What it works on now, e.g. a table's name. */
  step: string;
}

export interface RunResult {
  /** File names in `dir`, for the requester and the approver to download. */
  files: string[];
  /** What it did, in a line (rows exported, rows deleted, the TTL set). */
  summary: string;
}

/**
 * An operation that needs a second person's prior approval (item 16): an
 * export of raw rows as a file, a deletion of data, a shorter retention.
 * Capabilities register theirs; the approvals capability runs them only
 * after approval, once, and records everything in the audit trail.
 */
export interface Operation<P = Record<string, unknown>> {
  name: string;
  title: Bilingual;
  /** The parameters it takes, so a form (the dashboard, the CLI's help) asks for exactly these. */
  fields: OperationField[];
  /** Roles that may ask for it (default: operator, approver, admin); deleting an account is for administrators to ask. */
  askedBy?: readonly string[];
  /** Checks and normalises the parameters when the request is made (400 naming the field); `now` fills default times. */
  validate(params: Record<string, unknown>, now: number): P;
  /** What exactly it will do, for the approver to read. */
  describe(params: P): Bilingual;
  run(params: P, ctx: RunContext): Promise<RunResult>;
}

/** Who may ask for an operation. */
export const askersOf = (op: Pick<Operation<never>, 'askedBy'>): readonly string[] => op.askedBy ?? ['operator', 'approver', 'admin'];

export interface Bilingual {
  ja: string;
  en: string;
}

export interface OperationField {
  name: string;
  /** time: epoch ms or RFC 3339; choice: one of `choices`; days: a whole number of days. */
  kind: 'time' | 'choice' | 'text' | 'days';
  required: boolean;
  choices?: readonly string[];
  label: Bilingual;
  /** What an empty value means, e.g. "the moment of asking". */
  empty?: Bilingual;
}

export class OperationRegistry {
  private readonly operations = new Map<string, Operation<never>>();

  register<P>(operation: Operation<P>): void {
    if (this.operations.has(operation.name)) throw new Error(`operation ${operation.name} is registered twice`);
    this.operations.set(operation.name, operation as unknown as Operation<never>);
  }

  get(name: string): Operation<Record<string, unknown>> | undefined {
    return this.operations.get(name) as Operation<Record<string, unknown>> | undefined;
  }

  list(): Operation<Record<string, unknown>>[] {
    return [...this.operations.values()] as Operation<Record<string, unknown>>[];
  }
}
