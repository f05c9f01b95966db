import type { Actor, MaintenanceWindow } from './types.ts';

/** One row of the append-only maintenance log. A cancellation repeats the window's fields. */
export interface MaintenanceEvent extends Pick<MaintenanceWindow, 'name' | 'start' | 'end' | 'environments' | 'targets' | 'message'> {
  at: number;
  windowId: string;
  /** `updated` replaces the window's fields (an API window, before it is over). */
  event: 'created' | 'updated' | 'cancelled';
  actor: Actor;
}

export interface MaintenanceState {
  /** Windows created through the API, cancelled or not. */
  windows: Map<string, MaintenanceWindow>;
  /** Ids of cancelled windows: API windows, or occurrences of config windows. */
  cancelled: Map<string, { by: string; at: number }>;
}

export const emptyState = (): MaintenanceState => ({ windows: new Map(), cancelled: new Map() });

/** Applies one event to the state (in place) and returns it. */
export function applyEvent(state: MaintenanceState, e: MaintenanceEvent): MaintenanceState {
  if (e.event === 'created') {
    state.windows.set(e.windowId, {
      id: e.windowId,
      name: e.name,
      start: e.start,
      end: e.end,
      environments: e.environments,
      targets: e.targets,
      message: e.message,
      source: 'api',
      createdBy: e.actor.name,
      createdAt: e.at,
    });
  } else if (e.event === 'updated') {
    const window = state.windows.get(e.windowId);
    if (window) Object.assign(window, { name: e.name, start: e.start, end: e.end, environments: e.environments, targets: e.targets, message: e.message, updatedBy: e.actor.name, updatedAt: e.at });
  } else if (!state.cancelled.has(e.windowId)) {
    state.cancelled.set(e.windowId, { by: e.actor.name, at: e.at });
  }
  return state;
}

export const foldEvents = (events: MaintenanceEvent[]): MaintenanceState => events.reduce(applyEvent, emptyState());
