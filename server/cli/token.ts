import { Command, Option } from 'commander';
import { callServer } from './client.ts';

interface TokenInfo {
  id: string;
  kind: string;
  name: string;
  owner: string;
  role: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

const call = (path: string, init: RequestInit = {}) => callServer(path, { ...init, headers: init.body ? { 'content-type': 'application/json' } : {} }, process.env, 'api');

/** `mimamori token add|list|revoke`: tokens for programs (display tokens for wall screens, ingest tokens for agents, personal API tokens). */
export function tokenCommand(): Command {
  const token = new Command('token').description('tokens for programs: wall screens (--display), agents (--ingest), scripts (--personal); through the running server with an admin key');
  token
    .command('add')
    .description('make a token and print it once (it is stored hashed and cannot be shown again)')
    .option('--display <name>', 'a wall screen: opens /wall only (open /wall?token=… once on the kiosk)')
    .option('--ingest <name>', 'an agent: sends to /api/v1/ingest only')
    .option('--personal <name>', 'a script or the CLI, acting as --user with their role or lower')
    .option('--user <id>', 'whose personal token it is')
    .addOption(new Option('--role <role>', 'a personal token’s role (default: the user’s)').choices(['viewer', 'operator', 'approver', 'admin']))
    .action(async (o: { display?: string; ingest?: string; personal?: string; user?: string; role?: string }) => {
      const chosen = (['display', 'ingest', 'personal'] as const).filter((k) => o[k]);
      if (chosen.length !== 1) throw new Error('give exactly one of --display <name>, --ingest <name>, --personal <name>');
      const kind = chosen[0]!;
      const body = { kind, name: o[kind], ...(kind === 'personal' ? { owner: o.user, role: o.role } : {}) };
      const made = (await call('/api/v1/tokens', { method: 'POST', body: JSON.stringify(body) })) as { token: string; info: TokenInfo };
      process.stdout.write(`${made.token}\n`);
      const hint = kind === 'display' ? 'open <mimamori>/wall?token=<token> once on the wall screen' : kind === 'ingest' ? 'give it to the agent as MIMAMORI_TOKEN' : 'send it as Authorization: Bearer <token>';
      process.stderr.write(`${kind} token ${made.info.id} "${made.info.name}" made; it is shown only now: ${hint}\n`);
    });
  token
    .command('list')
    .description('every token (never its secret): kind, name, owner, last use, revoked')
    .option('--json', 'print the JSON answer')
    .action(async (o: { json?: boolean }) => {
      const { tokens } = (await call('/api/v1/tokens')) as { tokens: TokenInfo[] };
      if (o.json) return void process.stdout.write(`${JSON.stringify(tokens, null, 2)}\n`);
      for (const t of tokens) {
        process.stdout.write(`${t.id}  ${t.kind.padEnd(8)} ${t.name}  owner ${t.owner}${t.role ? ` (${t.role})` : ''}  last used ${t.last_used_at ?? 'never'}${t.revoked_at ? `  REVOKED ${t.revoked_at}` : ''}\n`);
      }
    });
  token
    .command('revoke')
    .description('revoke a token: it stops working on every instance within a second')
    .argument('<id>', 'the id `token list` shows')
    .action(async (id: string) => {
      await call(`/api/v1/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });
      process.stdout.write(`${id}: revoked\n`);
    });
  return token;
}
