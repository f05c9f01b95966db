import { guessabilityScore } from './guessability.ts';
import { romajiVariants } from './romaji.ts';

// The password policy of seed item 14, exactly: at least 8 characters; at
// least 3 of upper case, lower case, digits and symbols; no proper nouns (the
// user's own id, names as written, in kana and in romaji, e-mail, and the
// organisation's names); hard to guess (zxcvbn with common, English and
// Japanese dictionaries plus the user's own words). Every rule that fails is
// reported with its code, in Japanese and English.

export type PolicyCode = 'too_short' | 'too_few_classes' | 'contains_user_id' | 'contains_user_name' | 'contains_email' | 'contains_organisation' | 'guessable';

export interface PolicyProblem {
  code: PolicyCode;
  message: { ja: string; en: string };
  /** The word it matched, where it helps to say it (the organisation's name). */
  name?: string;
}

export interface PasswordOwner {
  id: string;
  displayName?: string;
  familyName?: string;
  givenName?: string;
  familyKana?: string;
  givenKana?: string;
  email?: string;
}

export const MIN_LENGTH = 8;
export const MIN_CLASSES = 3;

const MESSAGES: Record<PolicyCode, (arg: string) => { ja: string; en: string }> = {
  too_short: () => ({ ja: `パスワードは ${MIN_LENGTH} 文字以上にしてください`, en: `Use at least ${MIN_LENGTH} characters` }),
  too_few_classes: () => ({ ja: '英大文字・英小文字・数字・記号のうち 3 種類以上を使ってください', en: 'Use at least 3 of: upper-case letters, lower-case letters, digits, symbols' }),
  contains_user_id: () => ({ ja: 'ユーザー ID を含めないでください', en: 'Do not include your user ID' }),
  contains_user_name: () => ({ ja: '氏名（漢字・かな・ローマ字）を含めないでください', en: 'Do not include your name (as written, in kana or in romaji)' }),
  contains_email: () => ({ ja: 'メールアドレスを含めないでください', en: 'Do not include your e-mail address' }),
  contains_organisation: (name) => ({ ja: `組織名（${name}）を含めないでください`, en: `Do not include the organisation's name (${name})` }),
  guessable: () => ({ ja: '推測されやすいパスワードです（よく使われる語、人名、キーボード配列、日付など）', en: 'This password is easy to guess (common words, names, keyboard patterns, dates)' }),
};

/** Case- and width-insensitive, without spaces: "Ｓａｔｏ Ken" and "satoken" compare equal. */
const fold = (text: string) => text.normalize('NFKC').toLowerCase().replace(/[\s\u3000._-]+/g, '');
/** Words short enough to appear by chance are not checked: 3+ letters in Latin script, 2+ otherwise (kanji names). */
const checkable = (word: string) => word.length >= (/^[ -~]*$/.test(word) ? 3 : 2);

function nameWords(owner: PasswordOwner): string[] {
  const written = [owner.displayName, owner.familyName, owner.givenName, owner.familyKana, owner.givenKana].flatMap((n) => (n ? [n, ...n.split(/[\s\u3000]+/)] : []));
  const romaji = [owner.familyKana, owner.givenKana].flatMap((k) => (k ? romajiVariants(k) : []));
  const both = owner.familyKana && owner.givenKana ? [...romajiVariants(owner.familyKana + owner.givenKana), ...romajiVariants(owner.givenKana + owner.familyKana)] : [];
  return [...new Set([...written, ...romaji, ...both].map(fold))].filter(checkable);
}

/** Every rule the password breaks (empty when it may be used). */
export async function checkPassword(password: string, owner: PasswordOwner, options: { organisationNames: readonly string[]; minScore: number }): Promise<PolicyProblem[]> {
  const problems: PolicyProblem[] = [];
  const add = (code: PolicyCode, arg = '') => problems.push({ code, message: MESSAGES[code](arg), ...(arg ? { name: arg } : {}) });
  if ([...password].length < MIN_LENGTH) add('too_short');
  const classes = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < MIN_CLASSES) add('too_few_classes');
  const folded = fold(password);
  if (checkable(fold(owner.id)) && folded.includes(fold(owner.id))) add('contains_user_id');
  const names = nameWords(owner);
  if (names.some((n) => folded.includes(n))) add('contains_user_name');
  const local = owner.email?.split('@')[0];
  if (local && checkable(fold(local)) && folded.includes(fold(local))) add('contains_email');
  const organisation = options.organisationNames.find((name) => [name, ...name.split(/[\s\u3000]+/)].map(fold).some((w) => checkable(w) && folded.includes(w)));
  if (organisation) add('contains_organisation', organisation);
  if (problems.length === 0) {
    const inputs = [owner.id, local ?? '', ...names, ...options.organisationNames.map(fold)].filter(Boolean);
    if ((await guessabilityScore(password, inputs)) < options.minScore) add('guessable');
  }
  return problems;
}

/** The policy in words, for the sign-up and password pages. */
export function describePolicy(options: { minScore: number }): { ja: string; en: string } {
  return {
    ja: `${MIN_LENGTH} 文字以上、英大文字・英小文字・数字・記号のうち 3 種類以上。ID・氏名・メールアドレス・組織名を含まず、推測されにくいもの（強度 ${options.minScore}/4 以上）。`,
    en: `At least ${MIN_LENGTH} characters with 3 of: upper case, lower case, digits, symbols. No user ID, name, e-mail or organisation name; hard to guess (strength ${options.minScore}/4 or more).`,
  };
}
