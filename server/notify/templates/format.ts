import type { Language } from '../config.ts';
import type { Severity } from '../../rules/config.ts';

/** Words every template shares. */
const WORDS = {
  ja: {
    production: '本番',
    severity: { critical: '重大', warning: '警告', info: '情報' },
    units: ['日', '時間', '分', '秒'],
    unitGap: '',
  },
  en: {
    production: 'PRODUCTION',
    severity: { critical: 'CRITICAL', warning: 'WARNING', info: 'INFO' },
    units: ['d', 'h', 'min', 's'],
    unitGap: ' ',
  },
} as const;

/** `[本番]` / `[PRODUCTION]` for production, so it is never mistaken; `[staging]` otherwise. */
export function environmentTag(environment: string, production: boolean, language: Language): string {
  return `[${production ? WORDS[language].production : environment}]`;
}

export function severityTag(severity: Severity, language: Language): string {
  return `[${WORDS[language].severity[severity]}]`;
}

export function severityWord(severity: Severity, language: Language): string {
  return WORDS[language].severity[severity];
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

export function worstSeverity(severities: Severity[]): Severity {
  return severities.reduce<Severity>((worst, s) => (SEVERITY_RANK[s] < SEVERITY_RANK[worst] ? s : worst), 'info');
}

interface ZoneFormat {
  parts: Intl.DateTimeFormat;
  zoneName: string;
}
const zoneFormats = new Map<string, ZoneFormat>();

function zoneName(timezone: string, at: number): string {
  const name = (locale: string) =>
    new Intl.DateTimeFormat(locale, { timeZone: timezone, timeZoneName: 'short' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? timezone;
  const english = name('en-US');
  // en-US says "GMT+9" for Tokyo where ja-JP says "JST": take a real abbreviation when either has one.
  if (!english.startsWith('GMT')) return english;
  const japanese = name('ja-JP');
  return japanese.startsWith('GMT') ? english : japanese;
}

function zoneFormat(timezone: string, at: number): ZoneFormat {
  let format = zoneFormats.get(timezone);
  if (!format) {
    const options: Intl.DateTimeFormatOptions = { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' };
    try {
      format = { parts: new Intl.DateTimeFormat('en-US', options), zoneName: zoneName(timezone, at) };
    } catch {
      // An unknown zone must not stop an alert mail: fall back to UTC, which says so.
      format = { parts: new Intl.DateTimeFormat('en-US', { ...options, timeZone: 'UTC' }), zoneName: 'UTC' };
    }
    zoneFormats.set(timezone, format);
  }
  return format;
}

/** `2026-11-26 20:31:05 JST`. The zone name is taken once per zone (a summer-time change shows the old name until restart). */
export function formatTime(ms: number, timezone: string): string {
  const format = zoneFormat(timezone, ms);
  const p = Object.fromEntries(format.parts.formatToParts(ms).map((part) => [part.type, part.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${format.zoneName}`;
}

/** The two largest units: `1時間5分`, `13 min 55 s`, `45 s`. */
export function formatDuration(ms: number, language: Language): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const amounts = [Math.floor(total / 86_400), Math.floor((total % 86_400) / 3600), Math.floor((total % 3600) / 60), total % 60];
  const { units, unitGap } = WORDS[language];
  const first = amounts.findIndex((n) => n > 0);
  if (first === -1) return `0${unitGap}${units[3]}`;
  return amounts
    .slice(first, first + 2)
    .map((n, i) => (n > 0 ? `${n}${unitGap}${units[first + i]}` : ''))
    .filter(Boolean)
    .join(language === 'ja' ? '' : ' ');
}

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2, useGrouping: false });

/** `6012 ms`, `99.5%`, `2.5x`. */
export function formatValue(value: number, unit: string): string {
  const n = numberFormat.format(value);
  if (!unit) return n;
  return unit === '%' || unit === 'x' ? `${n}${unit}` : `${n} ${unit}`;
}

/** One line, at most `max` characters (code points, so no character is cut in half). */
export function oneLine(text: string, max: number): string {
  const flat = Array.from(text.replace(/\s*[\r\n]+\s*/g, ' '));
  return flat.length <= max ? flat.join('') : `${flat.slice(0, max - 1).join('')}…`;
}
