import { Command, Option } from 'commander';
import readline from 'node:readline';
import { callServer } from './client.ts';

interface UserAnswer {
  id: string;
  display_name: string;
  role: string;
  enabled: boolean;
  must_change_password: boolean;
  last_login_at: string | null;
  review: boolean;
}

const call = (path: string, init: RequestInit = {}) => callServer(path, { ...init, headers: init.body ? { 'content-type': 'application/json' } : {} }, process.env, 'api');

/** Reads a password: from standard input when it is not a terminal, else typed twice without echo. */
async function readPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    return text.replace(/\r?\n$/, '');
  }
  const ask = (question: string) =>
    new Promise<string>((resolve) => {
      const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput.bind(rl);
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s) => write(s.startsWith(question) ? s : '');
      rl.question(question, (answer) => {
        rl.close();
        process.stderr.write('\n');
        resolve(answer);
      });
    });
  const first = await ask(`${prompt}: `);
  if ((await ask('again: ')) !== first) throw new Error('the two passwords differ');
  return first;
}

/** `mimamori user add|list|disable|enable|reset-password|delete`: accounts through the running server (admin key). */
export function userCommand(): Command {
  const user = new Command('user').description('personal accounts (through the running server, with an admin key: MIMAMORI_API_KEY or the local admin key)');
  user
    .command('add')
    .description('create an account; the password comes from standard input, or is asked twice; it must be changed at first sign-in')
    .argument('<id>', 'user ID (lower case: a-z 0-9 . _ -)')
    .addOption(new Option('--role <role>', 'viewer, operator, approver or admin').choices(['viewer', 'operator', 'approver', 'admin']).default('viewer'))
    .option('--admin', 'the same as --role admin (e.g. the first administrator, on the server’s host)')
    .option('--name <display name>', 'shown on pages and in the ledger (default: the ID)')
    .option('--family-name <name>')
    .option('--given-name <name>')
    .option('--family-kana <kana>')
    .option('--given-kana <kana>')
    .option('--email <address>')
    .addOption(new Option('--language <lang>').choices(['ja', 'en']))
    .action(async (id: string, o: Record<string, string | boolean | undefined>) => {
      const password = await readPassword(`initial password for ${id}`);
      const body = {
        id, role: o.admin ? 'admin' : o.role, password, display_name: (o.name as string | undefined) ?? id,
        family_name: o.familyName, given_name: o.givenName, family_kana: o.familyKana, given_kana: o.givenKana, email: o.email, language: o.language,
      };
      const created = (await call('/api/v1/users', { method: 'POST', body: JSON.stringify(body) })) as UserAnswer;
      process.stdout.write(`created ${created.id} (${created.role}); the password must be changed at first sign-in\n`);
    });
  user
    .command('list')
    .description('every account, with its role, state and last sign-in; "review" marks accounts unused for long (item 15)')
    .option('--json', 'print the JSON answer')
    .action(async (o: { json?: boolean }) => {
      const { users } = (await call('/api/v1/users')) as { users: UserAnswer[] };
      if (o.json) return void process.stdout.write(`${JSON.stringify(users, null, 2)}\n`);
      for (const u of users) {
        const state = [u.enabled ? 'enabled' : 'disabled', u.must_change_password ? 'must change password' : '', u.review ? 'review: unused' : ''].filter(Boolean).join(', ');
        process.stdout.write(`${u.id.padEnd(20)} ${u.role.padEnd(9)} ${u.display_name}  [${state}]  last sign-in ${u.last_login_at ?? 'never'}\n`);
      }
    });
  for (const [name, verb, description] of [['disable', 'disable', 'disable an account: its sessions end at once'], ['enable', 'enable', 're-enable an account']] as const) {
    user.command(name).description(description).argument('<id>').action(async (id: string) => {
      await call(`/api/v1/users/${encodeURIComponent(id)}/${verb}`, { method: 'POST', body: '{}' });
      process.stdout.write(`${id}: ${verb}d\n`);
    });
  }
  user.command('reset-password').description('set a new initial password (to be changed at next sign-in); its sessions end').argument('<id>').action(async (id: string) => {
    const password = await readPassword(`new initial password for ${id}`);
    await call(`/api/v1/users/${encodeURIComponent(id)}/reset-password`, { method: 'POST', body: JSON.stringify({ password }) });
    process.stdout.write(`${id}: password reset; it must be changed at next sign-in\n`);
  });
  user
    .command('delete')
    .description('delete an account: disabled at once; its personal data is erased when someone else approves (mimamori request approve)')
    .argument('<id>')
    .option('--reason <text>', 'why, for the approver', 'the person left')
    .action(async (id: string, o: { reason: string }) => {
      const answer = (await call(`/api/v1/users/${encodeURIComponent(id)}?reason=${encodeURIComponent(o.reason)}`, { method: 'DELETE' })) as { request: { id: string } };
      process.stdout.write(`${id}: disabled; deletion waits for approval: ${answer.request.id} (mimamori request approve ${answer.request.id}, by an approver or another administrator)\n`);
    });
  return user;
}
