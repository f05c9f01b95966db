import { badRequest } from '../http/errors.ts';
import type { Operation } from '../approvals/index.ts';
import type { Accounts } from './accounts.ts';

/**
 * Deleting an account erases a person's data, so it waits for a second
 * person (item 16). The leaver is out at once all the same: asking disables
 * the account and ends its sessions; the approval then blanks it for good.
 */
export function accountDeletion(accounts: Accounts): Operation<{ id: string }> {
  return {
    name: 'account.delete',
    title: { ja: 'アカウントの削除（個人情報を消去）', en: 'Delete an account (its personal data is erased)' },
    fields: [{ name: 'id', kind: 'text', required: true, label: { ja: 'ユーザー ID', en: 'User ID' } }],
    askedBy: ['admin'],
    validate(params) {
      const id = params.id;
      if (typeof id !== 'string' || id.length === 0 || id.length > 64) throw badRequest('invalid_request', 'id: the user ID to delete', [{ field: 'id', reason: 'missing' }]);
      return { id };
    },
    describe: (p) => ({ ja: `アカウント ${p.id} を削除（氏名・メールを消去、ID は再利用しない）`, en: `delete the account ${p.id} (names and e-mail erased, the ID never reused)` }),
    async run(p, ctx) {
      // Re-enabled while the request waited: someone changed their mind; erasing now would surprise them.
      if ((await accounts.users.get(p.id))?.enabled) throw new Error(`${p.id} was enabled again after the deletion was asked; ask again if it should go`);
      await accounts.remove(p.id, ctx.approver ?? ctx.requester);
      return { files: [], summary: `account ${p.id} deleted` };
    },
  };
}
