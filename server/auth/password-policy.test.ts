import { describe, expect, it } from 'vitest';
import { checkPassword, type PasswordOwner } from './password-policy.ts';
import { romajiVariants, romanise } from './romaji.ts';

const owner: PasswordOwner = { id: 'ops042', displayName: '佐藤 健太', familyName: '佐藤', givenName: '健太', familyKana: 'サトウ', givenKana: 'けんた', email: 'duty-desk@ops.example.jp' };
const options = { organisationNames: ['未来文化財団', 'Mirai Foundation'], minScore: 3 };
const codes = async (password: string, who = owner) => (await checkPassword(password, who, options)).map((p) => p.code);

describe('password policy (seed item 14)', () => {
  it.each([
    ['V!olet-Harb0ur-91', []],
    ['Zq7#mK2$pL9x', []],
    ['ひまわり畑で7月!Wz', []],
    ['Ab1!xyz', ['too_short']],
    ['abcdefgh12', ['too_few_classes']],
    ['ALLUPPERCASE!!', ['too_few_classes']],
    ['ops042#Rv84!qz', ['contains_user_id']],
    ['OPS042-rv84!Qz', ['contains_user_id']],
    ['佐藤Rv84!qwz', ['contains_user_name']],
    ['健太Rv84!qwz', ['contains_user_name']],
    ['サトウRv84!qz', ['contains_user_name']],
    ['Satou-Rv84!q', ['contains_user_name']],
    ['SATOH_rv84!q', ['contains_user_name']],
    ['kenta#Rv84!q', ['contains_user_name']],
    ['Rv84!q-Sato', ['contains_user_name']],
    ['Duty-Desk+Rv84!Q', ['contains_email']],
    ['tsato#Rv84!q', ['contains_user_name']],
    ['Mirai#Rv84!q', ['contains_organisation']],
    ['未来文化財団Rv8!', ['contains_organisation']],
    ['Password123!', ['guessable']],
    ['Qwerty123!@#', ['guessable']],
    ['Yamamoto!1990', ['guessable']],
    ['Sakura1234!', ['guessable']],
    ['1qaz2wsx3edc!A', ['guessable']],
  ])('%s → %j', async (password, expected) => {
    expect(await codes(password)).toEqual(expected);
  });

  it('names every broken rule at once, each in Japanese and English', async () => {
    const problems = await checkPassword('sato', owner, options);
    expect(problems.map((p) => p.code)).toEqual(['too_short', 'too_few_classes', 'contains_user_name']);
    for (const p of problems) {
      expect(p.message.ja).toMatch(/[ぁ-んァ-ン一-龥]/);
      expect(p.message.en).toMatch(/[a-z]/);
    }
  });

  it('ignores name parts too short to matter, so a two-letter Latin name does not forbid every password with it', async () => {
    expect(await codes('Li-Rv84!qwZ', { id: 'li', givenName: 'Li' })).toEqual([]);
  });
});

describe('the strength check keeps its dictionaries out of the server', () => {
  it('scores in a worker thread: the dictionaries never enter this heap', async () => {
    const before = process.memoryUsage().heapUsed;
    expect(await codes('Password123!')).toEqual(['guessable']);
    expect(await codes('Zq7#mK2$pL9x')).toEqual([]);
    // Loaded here they would add ~30 MiB (measured); a few MiB of test bookkeeping may come and go.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(10 * 2 ** 20);
  });
});

describe('romaji of kana readings', () => {
  it.each([
    ['さとう', ['satou', 'sato', 'satoh']],
    ['シュウヘイ', ['shuuhei', 'shuhei']],
    ['きょうこ', ['kyouko', 'kyoko', 'kyohko']],
    ['はっとり', ['hattori']],
    ['まっちゃ', ['matcha']],
    ['ジェイ', undefined],
  ])('%s', (kana, expected) => {
    if (expected) expect(romajiVariants(kana)).toEqual(expected);
    else expect(romanise(kana)).toBeDefined();
  });
});
