/** The two languages Mimamori speaks. */
export type Lang = 'ja' | 'en';

/** `?lang=` wins; else the first language of Accept-Language that we speak; else Japanese. */
export function pickLanguage(lang: Lang | undefined, acceptLanguage: string | undefined): Lang {
  if (lang) return lang;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.trim().toLowerCase();
    if (tag.startsWith('ja')) return 'ja';
    if (tag.startsWith('en')) return 'en';
  }
  return 'ja';
}
