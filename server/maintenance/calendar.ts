import { randomUUID } from 'node:crypto';
import type { Storage } from '../storage/client.ts';
import { AppError, badRequest } from '../http/errors.ts';
import { applyEvent, foldEvents, type MaintenanceEvent, type MaintenanceState } from './fold.ts';
import { mergeMinuteIntervals } from './intervals.ts';
import { appendMaintenanceEvent, readMaintenanceEvents } from './queries.ts';
import { definitionOccurrences } from './recurrence.ts';
import { DEFAULT_MESSAGE, windowMatches, type Actor, type Labels, type MaintenanceDefinition, type MaintenanceWindow, type Message } from './types.ts';

export const MAX_WINDOW_MS = 7 * 86_400_000;

export interface NewWindow {
  name: string;
  start: number;
  end: number;
  environments?: string[];
  targets?: string[];
  message?: Partial<Message>;
}

/**
 * All planned maintenance: windows from the config (one-off and recurring,
 * computed in the time zone) and windows created through the API. API
 * changes are appended to maintenance_events; the state here is their fold.
 */
export class MaintenanceCalendar {
  private constructor(
    private readonly storage: Storage,
    private readonly definitions: MaintenanceDefinition[],
    private readonly timezone: string,
    private readonly state: MaintenanceState,
    private readonly now: () => number,
  ) {}

  static async open(storage: Storage, definitions: MaintenanceDefinition[], timezone: string, options: { now?: () => number } = {}): Promise<MaintenanceCalendar> {
    const state = foldEvents(await readMaintenanceEvents(storage));
    return new MaintenanceCalendar(storage, definitions, timezone, state, options.now ?? Date.now);
  }

  /** Windows overlapping [from, to), earliest first; cancelled ones left out. */
  occurrences(from: number, to: number): MaintenanceWindow[] {
    const fromConfig = this.definitions.flatMap((d) => definitionOccurrences(d, from, to, this.timezone));
    const fromApi = [...this.state.windows.values()].filter((w) => w.start < to && w.end > from);
    return [...fromConfig, ...fromApi].filter((w) => !this.state.cancelled.has(w.id)).sort((a, b) => a.start - b.start || a.id.localeCompare(b.id));
  }

  active(at: number): MaintenanceWindow[] {
    return this.occurrences(at, at + 1);
  }

  /** The matching window in force at `at` that ends last, so a caller learns when all of it is over. */
  activeFor(labels: Labels, at: number): MaintenanceWindow | undefined {
    return this.active(at)
      .filter((w) => windowMatches(w, labels))
      .reduce<MaintenanceWindow | undefined>((latest, w) => (!latest || w.end > latest.end ? w : latest), undefined);
  }

  /** A window (API-created, or one occurrence of a config window) by id, unless cancelled. */
  find(id: string): MaintenanceWindow | undefined {
    if (this.state.cancelled.has(id)) return undefined;
    const created = this.state.windows.get(id);
    if (created) return created;
    const at = id.includes('@') ? Date.parse(id.slice(id.lastIndexOf('@') + 1)) : NaN;
    const candidates = Number.isFinite(at) ? this.occurrences(at, at + 1) : this.definitions.flatMap((d) => (d.kind === 'once' ? definitionOccurrences(d, d.start, d.end, this.timezone) : []));
    return candidates.find((w) => w.id === id);
  }

  /**
   * Declares a window. With `key` (the request's Idempotency-Key) the key is
   * the window's id, so a repeated submit returns the window it made instead
   * of a second one (`created: false`), also after a restart.
   */
  async create(input: NewWindow, actor: Actor, key?: string): Promise<{ window: MaintenanceWindow; created: boolean }> {
    const existing = key ? this.state.windows.get(key) : undefined;
    if (existing) return { window: existing, created: false };
    this.check(input);
    const event: MaintenanceEvent = { at: this.now(), windowId: key ?? randomUUID(), event: 'created', actor, ...this.fields(input) };
    await this.record(event);
    return { window: this.state.windows.get(event.windowId)!, created: true };
  }

  /** Changes a window made through the API, before it is over; a config window is changed in the config. */
  async update(id: string, input: NewWindow, actor: Actor): Promise<MaintenanceWindow> {
    const window = this.state.cancelled.has(id) ? undefined : this.state.windows.get(id);
    if (!window) {
      if (this.find(id)) throw new AppError(409, 'declared_in_config', `maintenance window "${id}" is declared in mimamori.yaml; change it there`, [{ field: 'id', reason: 'from the config' }]);
      throw new AppError(404, 'not_found', `no maintenance window "${id}"`, [{ field: 'id', reason: 'unknown' }]);
    }
    if (window.end <= this.now()) throw new AppError(409, 'window_over', `maintenance window "${id}" is already over`, [{ field: 'id', reason: 'already over' }]);
    this.check(input);
    await this.record({ at: this.now(), windowId: id, event: 'updated', actor, ...this.fields(input) });
    return window;
  }

  private check(input: NewWindow): void {
    if (input.end <= input.start) throw badRequest('invalid_window', 'end must be after start', [{ field: 'end', reason: 'not after start' }]);
    if (input.end - input.start > MAX_WINDOW_MS) {
      throw badRequest('window_too_long', 'a maintenance window may last at most 7 days; split a longer one or declare it in the config', [
        { field: 'end', reason: 'more than 7 days after start' },
      ]);
    }
    if (input.end <= this.now()) throw badRequest('window_over', 'the window would already be over; maintenance is declared before or while it happens', [{ field: 'end', reason: 'in the past' }]);
  }

  private fields(input: NewWindow): Pick<MaintenanceEvent, 'name' | 'start' | 'end' | 'environments' | 'targets' | 'message'> {
    return {
      name: input.name,
      start: input.start,
      end: input.end,
      environments: input.environments ?? [],
      targets: input.targets ?? [],
      message: { ja: input.message?.ja || DEFAULT_MESSAGE.ja, en: input.message?.en || DEFAULT_MESSAGE.en },
    };
  }

  /** Cancels a window or one occurrence of a config window; cancelling twice is a no-op. */
  async cancel(id: string, actor: Actor): Promise<void> {
    if (this.state.cancelled.has(id)) return;
    const window = this.find(id);
    if (!window) throw new AppError(404, 'not_found', `no maintenance window "${id}"`, [{ field: 'id', reason: 'unknown' }]);
    // Cancelling a past window would put its minutes back into availability after the fact.
    if (window.end <= this.now()) throw new AppError(409, 'window_over', `maintenance window "${id}" is already over`, [{ field: 'id', reason: 'already over' }]);
    const { name, start, end, environments, targets, message } = window;
    await this.record({ at: this.now(), windowId: id, event: 'cancelled', actor, name, start, end, environments, targets, message });
  }

  /** Minute intervals of [from, to) under maintenance for this environment and target, merged. */
  excludedMinutes(environment: string, target: string, from: number, to: number): [number, number][] {
    const windows = this.occurrences(from, to).filter((w) => windowMatches(w, { environment, target }));
    return mergeMinuteIntervals(
      windows.map((w) => [w.start, w.end]),
      from,
      to,
    );
  }

  private async record(event: MaintenanceEvent): Promise<void> {
    // Stored first: memory never shows a change the log does not hold.
    await appendMaintenanceEvent(this.storage, event);
    applyEvent(this.state, event);
  }
}
