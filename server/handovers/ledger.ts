import { randomBytes } from 'node:crypto';
import type { Storage } from '../storage/client.ts';
import { dateTimeText, sql } from '../storage/sql.ts';
import { AppError } from '../http/errors.ts';
import { serialQueue } from '../shared/serial.ts';

/** One hand-over of confidential data (item 16): date, from, to, content, means, returned on. */
export interface Handover {
  id: string;
  handedOn: string;
  from: string;
  to: string;
  content: string;
  means: string;
  returnedOn: string | null;
  note: string;
  recordedBy: string;
  recordedAt: number;
}

interface Row {
  at: number;
  id: string;
  event: string;
  actor: string;
  handed_on: string;
  from_party: string;
  to_party: string;
  content: string;
  means: string;
  returned_on: string | null;
  note: string;
}

/** The ledger of confidential-data hand-overs: append-only, recorded then returned; who wrote each line is kept. */
export class HandoverLedger {
  private readonly byId = new Map<string, Handover>();
  private readonly serial = serialQueue();

  private constructor(
    private readonly storage: Storage,
    private readonly now: () => number,
  ) {}

  static async open(storage: Storage, now: () => number): Promise<HandoverLedger> {
    const ledger = new HandoverLedger(storage, now);
    const rows = await storage.query<Row>(sql`SELECT toUnixTimestamp64Milli(at) AS at, id, event, actor, toString(handed_on) AS handed_on, from_party, to_party, content, means, toString(returned_on) AS returned_on, note FROM handover_events ORDER BY at`);
    for (const row of rows) ledger.apply({ ...row, at: Number(row.at) });
    return ledger;
  }

  list(): Handover[] {
    return [...this.byId.values()].sort((a, b) => (a.handedOn < b.handedOn ? 1 : a.handedOn > b.handedOn ? -1 : b.recordedAt - a.recordedAt));
  }

  record(entry: { handedOn: string; from: string; to: string; content: string; means: string; note?: string }, actor: string): Promise<Handover> {
    return this.serial(async () => {
      const id = `HO-${entry.handedOn.replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;
      await this.write({ at: this.now(), id, event: 'recorded', actor, handed_on: entry.handedOn, from_party: entry.from, to_party: entry.to, content: entry.content, means: entry.means, returned_on: null, note: entry.note ?? '' });
      return this.byId.get(id)!;
    });
  }

  returned(id: string, returnedOn: string, note: string, actor: string): Promise<Handover> {
    return this.serial(async () => {
      const current = this.byId.get(id);
      if (!current) throw new AppError(404, 'not_found', `no hand-over ${id}`, [{ field: 'id', reason: 'not found' }]);
      if (current.returnedOn) throw new AppError(409, 'already_returned', `${id} was returned on ${current.returnedOn}`, [{ field: 'id', reason: 'returned' }]);
      if (returnedOn < current.handedOn) throw new AppError(400, 'invalid_date', 'returned_on: not before the hand-over', [{ field: 'returned_on', reason: 'before handed_on' }]);
      await this.write({ at: this.now(), id, event: 'returned', actor, handed_on: current.handedOn, from_party: current.from, to_party: current.to, content: current.content, means: current.means, returned_on: returnedOn, note });
      return this.byId.get(id)!;
    });
  }

  private async write(row: Row): Promise<void> {
    await this.storage.insertRows('handover_events', [{ ...row, at: dateTimeText(row.at) }], `handover-${row.id}-${row.event}-${row.at}`);
    this.apply(row);
  }

  private apply(r: Row): void {
    if (r.event === 'recorded') {
      this.byId.set(r.id, { id: r.id, handedOn: r.handed_on, from: r.from_party, to: r.to_party, content: r.content, means: r.means, returnedOn: null, note: r.note, recordedBy: r.actor, recordedAt: r.at });
    } else if (r.event === 'returned') {
      const h = this.byId.get(r.id);
      if (h) Object.assign(h, { returnedOn: r.returned_on, note: r.note || h.note });
    }
  }
}
