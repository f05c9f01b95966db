import type { TargetTile } from './types.ts';
import { t } from '../../lib/i18n.svelte.ts';
import { formatMs } from '../../lib/format.ts';

/**
 * What a tile shows as its "now": the response time when the newest probe
 * succeeded, otherwise what failed (the HTTP status, or "no answer") — a
 * failed probe's time is never shown as a response time.
 */
/** The error text when it says more than the "now" already does (not a second "HTTP 500"). */
export function errorText(tile: Pick<TargetTile, 'last_ms' | 'last_ok' | 'last_status' | 'last_error'>): string {
  return tile.last_error && tile.last_error !== nowText(tile) ? tile.last_error : '';
}

export function nowText(tile: Pick<TargetTile, 'last_ms' | 'last_ok' | 'last_status'>): string {
  if (tile.last_ok !== false) return formatMs(tile.last_ms);
  return tile.last_status ? `HTTP ${tile.last_status}` : t('wall.no_answer');
}
