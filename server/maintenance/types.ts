export interface Message {
  ja: string;
  en: string;
}

export const DEFAULT_MESSAGE: Message = {
  ja: '現在メンテナンス中です。ご不便をおかけしますが、しばらくお待ちください。',
  en: 'Maintenance in progress. We apologise for the inconvenience.',
};

/** One stretch of planned maintenance; a recurring definition yields one per day it falls on. */
export interface MaintenanceWindow {
  id: string;
  name: string;
  start: number;
  end: number;
  /** Empty = all environments. */
  environments: string[];
  /** Empty = all targets. */
  targets: string[];
  message: Message;
  source: 'config' | 'api';
  createdBy: string;
  createdAt: number;
  updatedBy?: string;
  updatedAt?: number;
}

interface Scope {
  name: string;
  environments: string[];
  targets: string[];
  message: Message;
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** A `maintenance:` entry of the config, checked and with times resolved. */
export type MaintenanceDefinition =
  | (Scope & { kind: 'once'; start: number; end: number })
  | (Scope & { kind: 'recurring'; every: 'daily' | 'weekly'; days: Weekday[]; hour: number; minute: number; durationMs: number });

export interface Actor {
  name: string;
  role: string;
}

/** Labels of the thing asking (an alert, a page); an absent label matches any window. */
export interface Labels {
  environment?: string;
  target?: string;
}

export function windowMatches(window: MaintenanceWindow, labels: Labels): boolean {
  const fits = (list: string[], value: string | undefined) => value === undefined || list.length === 0 || list.includes(value);
  return fits(window.environments, labels.environment) && fits(window.targets, labels.target);
}
