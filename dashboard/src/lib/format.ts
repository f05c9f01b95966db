import type { Lang } from './i18n.svelte.ts';

/** A time in the configured zone, e.g. 2026-11-26 20:31:05. */
export function formatTime(value: string | number, timezone: string, withSeconds = true): string {
  const d = new Date(value);
  const parts = new Intl.DateTimeFormat('sv-SE', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: withSeconds ? '2-digit' : undefined, hour12: false }).format(d);
  return parts;
}

export function formatClock(date: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(date);
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export function formatAge(seconds: number, lang: Lang): string {
  const m = Math.floor(seconds / 60);
  const h = Math.floor(m / 60);
  if (lang === 'ja') return h ? `${h}時間${m % 60}分` : m ? `${m}分` : `${Math.floor(seconds)}秒`;
  return h ? `${h} h ${m % 60} min` : m ? `${m} min` : `${Math.floor(seconds)} s`;
}

export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  // Two decimals only where they matter (99.95 % is not 100 %); a whole 100 is written as such.
  return value >= 100 ? '100%' : `${value.toFixed(value >= 99.9 ? 2 : 1)}%`;
}

/** A measured value with its unit, written the way the rest of the dashboard writes it. */
export function formatValue(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (unit === 'ms') return formatMs(value);
  if (unit === '%') return formatPercent(value);
  return `${Math.round(value * 10) / 10}${unit ? ` ${unit}` : ''}`;
}
