import { randomUUID } from 'node:crypto';
import type { Storage } from '../storage/client.ts';
import { dateTimeText, sql } from '../storage/sql.ts';
import type { Actor } from '../auth/actors.ts';
import type { Alert } from '../rules/types.ts';
import { serialQueue } from '../shared/serial.ts';
import { AppError } from '../http/errors.ts';

export interface WorkaroundVersion {
  version: number;
  title: string;
  steps: string[];
  /** Which alerts it answers: rule kinds, rule names, or text in the alert's labels. */
  appliesTo: { kinds: string[]; rules: string[]; patterns: string[] };
  createdAt: number;
  createdBy: string;
  approval: 'draft' | 'approved' | 'revoked';
  approvedBy?: string;
  approvedAt?: number;
}

export interface Workaround {
  id: string;
  versions: WorkaroundVersion[];
}

export type WorkaroundInput = Pick<WorkaroundVersion, 'title' | 'steps'> & { appliesTo?: Partial<WorkaroundVersion['appliesTo']> };

/**
 * The catalogue of workaround procedures (items 5-7). Each revision is a
 * new version that starts as a draft; only an approver (the foundation)
 * can approve a version. Events are appended to `workaround_events`.
 */
export class WorkaroundCatalogue {
  private readonly items = new Map<string, Workaround>();
  private readonly serial = serialQueue();

  private constructor(private readonly storage: Storage, private readonly now: () => number) {}

  static async open(storage: Storage, now: () => number): Promise<WorkaroundCatalogue> {
    const catalogue = new WorkaroundCatalogue(storage, now);
    const rows = await storage.query<{ workaround: string; version: number; type: string; actor: string; at: number; data: string }>(sql`
      SELECT workaround, version, type, actor, toUnixTimestamp64Milli(at) AS at, data FROM workaround_events ORDER BY at, workaround, version`);
    for (const r of rows) catalogue.fold(r.workaround, Number(r.version), r.type, r.actor, Number(r.at), JSON.parse(r.data));
    return catalogue;
  }

  list(): Workaround[] {
    return [...this.items.values()];
  }

  get(id: string): Workaround {
    const item = this.items.get(id);
    if (!item) throw new AppError(404, 'not_found', `no workaround ${id}`, [{ field: 'id', reason: 'unknown workaround' }]);
    return item;
  }

  /** The newest approved version of the first workaround that answers this alert. */
  findFor(alert: Pick<Alert, 'kind' | 'rule' | 'labels'>): { id: string; version: WorkaroundVersion } | undefined {
    const text = Object.values(alert.labels).join(' ').toLowerCase();
    for (const item of this.items.values()) {
      const approved = item.versions.filter((v) => v.approval === 'approved').at(-1);
      if (!approved) continue;
      const a = approved.appliesTo;
      if (a.kinds.includes(alert.kind) || a.rules.includes(alert.rule) || a.patterns.some((p) => text.includes(p.toLowerCase()))) return { id: item.id, version: approved };
    }
    return undefined;
  }

  create(input: WorkaroundInput, actor: Actor): Promise<Workaround> {
    return this.serial(async () => {
      const id = `WA-${String(this.items.size + 1).padStart(3, '0')}`;
      await this.append(id, 1, 'created', actor, input);
      return this.get(id);
    });
  }

  revise(id: string, input: WorkaroundInput, actor: Actor): Promise<Workaround> {
    return this.serial(async () => {
      const item = this.get(id);
      await this.append(id, item.versions.length + 1, 'created', actor, input);
      return item;
    });
  }

  /** Approval or revocation of one version; the route admits only the approver role. */
  decide(id: string, version: number, decision: 'approved' | 'revoked', actor: Actor): Promise<Workaround> {
    return this.serial(async () => {
      const item = this.get(id);
      const v = item.versions[version - 1];
      if (!v) throw new AppError(404, 'not_found', `${id} has no version ${version}`, [{ field: 'version', reason: 'unknown version' }]);
      if (v.approval === decision) throw new AppError(409, 'unchanged', `${id} v${version} is already ${decision}`);
      await this.append(id, version, decision, actor, {});
      return item;
    });
  }

  /** The version to apply: it must be approved and not superseded by a revocation; 409 says why not. */
  approvedVersion(id: string, version?: number): WorkaroundVersion {
    const item = this.get(id);
    const v = version ? item.versions[version - 1] : item.versions.at(-1);
    if (!v) throw new AppError(404, 'not_found', `${id} has no version ${version}`, [{ field: 'version', reason: 'unknown version' }]);
    if (v.approval !== 'approved') {
      throw new AppError(409, 'workaround_not_approved', `${id} v${v.version} "${v.title}" is ${v.approval === 'draft' ? 'not approved by the foundation' : 'revoked'}; only approved workarounds may be applied`, [
        { field: 'workaround', reason: `version ${v.version} is ${v.approval}` },
      ]);
    }
    return v;
  }

  private async append(id: string, version: number, type: string, actor: Actor, data: object): Promise<void> {
    const at = this.now();
    await this.storage.insertRows('workaround_events', [{ at: dateTimeText(at), workaround: id, version, type, actor: actor.name, actor_role: actor.role, data: JSON.stringify(data) }], randomUUID());
    this.fold(id, version, type, actor.name, at, data as Record<string, unknown>);
  }

  private fold(id: string, version: number, type: string, actor: string, at: number, data: Record<string, unknown>): void {
    const item = this.items.get(id) ?? { id, versions: [] };
    this.items.set(id, item);
    if (type === 'created') {
      const input = data as unknown as WorkaroundInput;
      item.versions[version - 1] = {
        version, title: input.title, steps: input.steps, createdAt: at, createdBy: actor, approval: 'draft',
        appliesTo: { kinds: input.appliesTo?.kinds ?? [], rules: input.appliesTo?.rules ?? [], patterns: input.appliesTo?.patterns ?? [] },
      };
    } else {
      const v = item.versions[version - 1];
      if (v) Object.assign(v, type === 'approved' ? { approval: 'approved', approvedBy: actor, approvedAt: at } : { approval: 'revoked' });
    }
  }

}
