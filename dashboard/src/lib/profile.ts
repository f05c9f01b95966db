import type { Lang } from './i18n.svelte.ts';

/** The editable part of an account, as the forms hold it (server/auth/schemas.ts ProfileFields). */
export interface ProfileDraft {
  display_name: string;
  family_name: string;
  given_name: string;
  family_kana: string;
  given_kana: string;
  email: string;
  language: Lang;
}

export const blankProfile = (language: Lang): ProfileDraft => ({ display_name: '', family_name: '', given_name: '', family_kana: '', given_kana: '', email: '', language });

/** The fields filled in: the server's schemas refuse an empty display name, and empty optional fields mean "not given". */
export const profileBody = (draft: ProfileDraft): Partial<ProfileDraft> =>
  Object.fromEntries(Object.entries(draft).map(([k, v]) => [k, v.trim()]).filter(([, v]) => v !== ''));
