import { randomBytes } from 'node:crypto';
import type { Storage } from '../storage/client.ts';
import { dateTimeText, sql } from '../storage/sql.ts';
import { AppError } from '../http/errors.ts';
import { serialQueue } from '../shared/serial.ts';

/** What an operator writes into a report: a capacity-review proposal (item 18) or the annual improvement plan (item 9). */
export type TextKind = 'capacity_proposal' | 'improvement_plan';
/** A proposal ends "proposed to the foundation", a plan "issued"; both are drafts until then. */
export type TextStatus = 'draft' | 'proposed' | 'issued';

export interface TextVersion {
  version: number;
  status: TextStatus;
  textJa: string;
  textEn: string;
  /** The figures the text was written from (JSON), kept beside it. */
  figures: string;
  actor: string;
  at: number;
}

export interface ReportText {
  id: string;
  kind: TextKind;
  environment: string;
  /** The host of a proposal; the first month (YYYY-MM) of a plan's year. */
  subject: string;
  versions: TextVersion[];
}

interface Row {
  at: number;
  id: string;
  version: number;
  kind: TextKind;
  environment: string;
  subject: string;
  status: TextStatus;
  text_ja: string;
  text_en: string;
  figures: string;
  actor: string;
}

const FINAL: Record<TextKind, TextStatus> = { capacity_proposal: 'proposed', improvement_plan: 'issued' };
const PREFIX: Record<TextKind, string> = { capacity_proposal: 'CP', improvement_plan: 'IP' };

export const latest = (t: ReportText): TextVersion => t.versions[t.versions.length - 1]!;

/**
 * Report texts, append-only: every save is a new version row, and the final
 * mark (proposed / issued) one more, each with who and when. A text once
 * final takes no more edits; a later review starts a new one. Saves name the
 * version they edited, so two people editing at once cannot overwrite each
 * other silently (the second gets 409 and the current text).
 */
export class ReportTexts {
  private readonly byId = new Map<string, ReportText>();
  private readonly serial = serialQueue();

  private constructor(
    private readonly storage: Storage,
    private readonly now: () => number,
  ) {}

  static async open(storage: Storage, now: () => number): Promise<ReportTexts> {
    const texts = new ReportTexts(storage, now);
    const rows = await storage.query<Row>(sql`
      SELECT toUnixTimestamp64Milli(at) AS at, id, version, kind, environment, subject, status, text_ja, text_en, figures, actor
      FROM report_text_versions FINAL ORDER BY id, version`);
    for (const row of rows) texts.apply({ ...row, at: Number(row.at), version: Number(row.version) });
    return texts;
  }

  get(id: string): ReportText {
    const text = this.byId.get(id);
    if (!text) throw new AppError(404, 'not_found', `no report text ${id}`, [{ field: 'id', reason: 'not found' }]);
    return text;
  }

  /** Newest first, optionally of one kind, environment and subject. */
  list(filter: { kind?: TextKind; environment?: string; subject?: string } = {}): ReportText[] {
    return [...this.byId.values()]
      .filter((t) => (!filter.kind || t.kind === filter.kind) && (!filter.environment || t.environment === filter.environment) && (filter.subject === undefined || t.subject === filter.subject))
      .sort((a, b) => latest(b).at - latest(a).at || b.id.localeCompare(a.id));
  }

  /** The text a report shows for a subject: its open draft, else the last one made final. */
  current(kind: TextKind, environment: string, subject: string): ReportText | undefined {
    const all = this.list({ kind, environment, subject });
    return all.find((t) => latest(t).status === 'draft') ?? all[0];
  }

  create(entry: { kind: TextKind; environment: string; subject: string; textJa: string; textEn: string; figures: string }, actor: string): Promise<ReportText> {
    return this.serial(async () => {
      const open = this.list(entry).find((t) => latest(t).status === 'draft');
      if (open) throw new AppError(409, 'draft_exists', `${open.id} is the open draft for ${entry.subject}; edit it instead`, [{ field: 'subject', reason: `open draft ${open.id}` }]);
      const at = this.now();
      const id = `${PREFIX[entry.kind]}-${dateTimeText(at).slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;
      await this.write({ at, id, version: 1, kind: entry.kind, environment: entry.environment, subject: entry.subject, status: 'draft', text_ja: entry.textJa, text_en: entry.textEn, figures: entry.figures, actor });
      return this.get(id);
    });
  }

  /** A new version of an open draft's text, made from `baseVersion`. */
  edit(id: string, baseVersion: number, change: { textJa: string; textEn: string }, actor: string): Promise<ReportText> {
    return this.serial(async () => {
      const text = this.open(id, baseVersion);
      const last = latest(text);
      await this.write({ ...this.rowOf(text, last), at: this.now(), version: last.version + 1, text_ja: change.textJa, text_en: change.textEn, actor });
      return this.get(id);
    });
  }

  /** Marks the draft proposed to the foundation (a proposal) or issued (a plan): one more version, the same text. */
  finalise(id: string, baseVersion: number, actor: string): Promise<ReportText> {
    return this.serial(async () => {
      const text = this.open(id, baseVersion);
      const last = latest(text);
      await this.write({ ...this.rowOf(text, last), at: this.now(), version: last.version + 1, status: FINAL[text.kind], actor });
      return this.get(id);
    });
  }

  private open(id: string, baseVersion: number): ReportText {
    const text = this.get(id);
    const last = latest(text);
    if (last.status !== 'draft') throw new AppError(409, 'already_final', `${id} was marked ${last.status} by ${last.actor}; start a new one`, [{ field: 'id', reason: last.status }]);
    if (baseVersion !== last.version) throw new AppError(409, 'edited_meanwhile', `${id} is at version ${last.version} (by ${last.actor}); reload and edit that`, [{ field: 'base_version', reason: `current is ${last.version}` }]);
    return text;
  }

  private rowOf(text: ReportText, v: TextVersion): Row {
    return { at: v.at, id: text.id, version: v.version, kind: text.kind, environment: text.environment, subject: text.subject, status: v.status, text_ja: v.textJa, text_en: v.textEn, figures: v.figures, actor: v.actor };
  }

  private async write(row: Row): Promise<void> {
    await this.storage.insertRows('report_text_versions', [{ ...row, at: dateTimeText(row.at) }], `report-text-${row.id}-${row.version}`);
    this.apply(row);
  }

  private apply(r: Row): void {
    const text = this.byId.get(r.id) ?? { id: r.id, kind: r.kind, environment: r.environment, subject: r.subject, versions: [] };
    text.versions.push({ version: r.version, status: r.status, textJa: r.text_ja, textEn: r.text_en, figures: r.figures, actor: r.actor, at: r.at });
    this.byId.set(r.id, text);
  }
}
