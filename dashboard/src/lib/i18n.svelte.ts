import { messages, type MessageKey } from './messages.ts';

export type Lang = 'ja' | 'en';
const STORE = 'mimamori.lang';

function initial(): Lang {
  const saved = localStorage.getItem(STORE);
  if (saved === 'ja' || saved === 'en') return saved;
  return navigator.language.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

/** The chosen language: saved choice, else the browser's (ja → Japanese, anything else → English). */
export const locale = $state({ lang: initial() });

export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const text: string = messages[locale.lang][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}

export function toggleLang(): void {
  locale.lang = locale.lang === 'ja' ? 'en' : 'ja';
  localStorage.setItem(STORE, locale.lang);
  document.documentElement.lang = locale.lang;
}
