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
  setLang(locale.lang === 'ja' ? 'en' : 'ja');
}

/** Speaks `lang` from now on in this browser (e.g. the account's own language at sign-in). */
export function setLang(lang: Lang): void {
  locale.lang = lang;
  localStorage.setItem(STORE, locale.lang);
  document.documentElement.lang = locale.lang;
}
