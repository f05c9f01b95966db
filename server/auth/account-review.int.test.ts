import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../../test/helpers/runtime.ts';

// Item 15: accounts unused for the configured time are mailed to the
// administrators once a month (here: the outbox, as without SMTP).

const DAY = 86_400_000;
let clock = Date.parse('2026-12-01T03:00:00Z');
let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime({ yaml: 'agent: { enabled: false }\naccounts: { review_unused_after: 90d }\n', now: () => clock });
  const { accounts } = rt.accounts;
  const by = { name: 'test', role: 'admin' };
  for (const [id, role, email] of [['boss', 'admin', 'boss@example.jp'], ['left-in-june', 'operator', ''], ['busy', 'operator', '']] as const) {
    await accounts.create(id, { displayName: id, email, language: 'ja' }, role, 'V!olet-Harb0ur-91', by, { lang: 'en', mustChangePassword: false });
  }
  const old = (await accounts.users.get('left-in-june'))!;
  await accounts.users.save({ ...old, createdAt: clock - 200 * DAY, lastLoginAt: clock - 160 * DAY }, 'updated', by);
  const busy = (await accounts.users.get('busy'))!;
  await accounts.users.save({ ...busy, createdAt: clock - 200 * DAY, lastLoginAt: clock - 2 * DAY }, 'updated', by);
});
afterAll(async () => rt.close());

async function mails(): Promise<{ subject: string; text: string; to: string }[]> {
  const dir = path.join(rt.dataDir, 'outbox');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.eml')) : [];
  return Promise.all(files.map(async (f) => {
    const m = await simpleParser(fs.readFileSync(path.join(dir, f)));
    return { subject: m.subject ?? '', text: m.text ?? '', to: m.to && !Array.isArray(m.to) ? m.to.text : '' };
  }));
}
const waitForMails = async (n: number) => {
  for (let i = 0; i < 100 && (await mails()).length < n; i++) await new Promise((r) => setTimeout(r, 50));
  return mails();
};

describe('the monthly review of unused accounts', () => {
  it('mails each administrator the accounts unused for 90 days, once a month', async () => {
    expect(await rt.review.runDue()).toBe(1);
    const [mail] = await waitForMails(1);
    expect(mail!.to).toBe('boss@example.jp');
    expect(mail!.subject).toBe('[Mimamori] 2026-12 未使用アカウントの確認 (1 件)');
    expect(mail!.text).toContain('left-in-june');
    expect(mail!.text).not.toContain('busy');
    expect(await rt.review.runDue()).toBe(0); // this month's went out
    clock += 31 * DAY;
    expect(await rt.review.runDue()).toBe(1);
    expect((await waitForMails(2)).map((m) => m.subject.slice(11, 18)).sort()).toEqual(['2026-12', '2027-01']);
  });

  it('writes to an administrator who reads English in English', async () => {
    const boss = (await rt.accounts.accounts.users.get('boss'))!;
    await rt.accounts.accounts.users.save({ ...boss, language: 'en' }, 'updated', { name: 'test', role: 'admin' });
    clock += 31 * DAY;
    expect(await rt.review.runDue()).toBe(1);
    const mail = (await waitForMails(3)).find((m) => m.subject.includes('2027-02'))!;
    expect(mail.subject).toBe('[Mimamori] 2027-02 accounts to review (1)');
    expect(mail.text).toMatch(/left-in-june \(left-in-june, operator\): last sign-in 2026-06-\d\d/);
    expect(mail.text).not.toMatch(/[ぁ-んァ-ン]/); // no Japanese left in it
  });
});
