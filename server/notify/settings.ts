import type { Static } from 'typebox';
import type { EscalationSchema, NotifySchema } from './config.ts';
import type { Recipient } from './types.ts';
import type { Timing } from './dispatcher.ts';
import { parseDurationMs } from '../../lib/units.ts';

type Fail = (path: (string | number)[], reason: string) => Error;

export interface EscalationStep {
  recipient: string;
  channel: 'email' | 'webhook';
  waitMs: number;
}

export interface NotifySettings {
  /** smtp(s):// URL from the environment; undefined sends mail to the outbox. */
  smtp?: { url: string; from: string };
  from: string;
  recipients: Map<string, Recipient>;
  defaultRecipients: string[];
  foundationRecipients: string[];
  timing: Timing;
  chains: Map<string, EscalationStep[]>;
}

/** Resolves `notify:` and `escalation:`; secrets (SMTP URL, webhook URLs) come from the environment. */
export function resolveNotify(raw: Static<typeof NotifySchema> | undefined, chainsRaw: Static<typeof EscalationSchema> | undefined, env: NodeJS.ProcessEnv, fail: Fail): NotifySettings {
  const n = raw ?? {};
  const recipients = new Map<string, Recipient>();
  for (const [i, r] of (n.recipients ?? []).entries()) {
    if (recipients.has(r.name)) throw fail(['notify', 'recipients', i, 'name'], `"${r.name}" is used by an earlier recipient`);
    if (!r.email && !r.webhook) throw fail(['notify', 'recipients', i], 'give email addresses, a webhook, or both');
    let webhook: Recipient['webhook'];
    if (r.webhook) {
      const url = r.webhook.url ?? (r.webhook.url_env ? env[r.webhook.url_env] : undefined);
      if (!url) throw fail(['notify', 'recipients', i, 'webhook'], r.webhook.url_env ? `environment variable ${r.webhook.url_env} is not set` : 'give url or url_env');
      if (!/^https?:\/\//.test(url)) throw fail(['notify', 'recipients', i, 'webhook'], 'the webhook URL must start with http:// or https://');
      const secret = r.webhook.secret_env ? env[r.webhook.secret_env] : undefined;
      if (r.webhook.secret_env && !secret) throw fail(['notify', 'recipients', i, 'webhook', 'secret_env'], `environment variable ${r.webhook.secret_env} is not set`);
      webhook = { url, secret };
    }
    recipients.set(r.name, { name: r.name, email: r.email ?? [], webhook, language: r.language ?? 'ja' });
  }
  // With no one configured, alerts still produce mail: to a local "operators" that lands in the outbox.
  if (recipients.size === 0) recipients.set('operators', { name: 'operators', email: ['operators@localhost'], language: 'ja' });
  const known = (list: string[] | undefined, key: string) =>
    (list ?? []).map((name, i) => {
      if (!recipients.has(name)) throw fail(['notify', key, i], `no recipient named "${name}" in notify.recipients`);
      return name;
    });
  const from = n.smtp?.from ?? 'Mimamori <mimamori@localhost>';
  const urlEnv = n.smtp?.url_env ?? 'MIMAMORI_SMTP_URL';
  const url = env[urlEnv];
  if (n.smtp?.url_env && !url) throw fail(['notify', 'smtp', 'url_env'], `environment variable ${urlEnv} is not set`);
  if (url && !/^smtps?:\/\//.test(url)) throw fail(['notify', 'smtp', 'url_env'], `${urlEnv} must be an smtp:// or smtps:// URL`);
  const chains = new Map<string, EscalationStep[]>();
  for (const [i, chain] of (chainsRaw ?? []).entries()) {
    if (chains.has(chain.name)) throw fail(['escalation', i, 'name'], `"${chain.name}" is used by an earlier chain`);
    chains.set(chain.name, chain.steps.map((s, j) => {
      const recipient = recipients.get(s.notify);
      if (!recipient) throw fail(['escalation', i, 'steps', j, 'notify'], `no recipient named "${s.notify}" in notify.recipients`);
      const channel = s.channel ?? (recipient.email.length ? 'email' : 'webhook');
      if (channel === 'webhook' && !recipient.webhook) throw fail(['escalation', i, 'steps', j, 'channel'], `recipient "${s.notify}" has no webhook`);
      if (channel === 'email' && !recipient.email.length) throw fail(['escalation', i, 'steps', j, 'channel'], `recipient "${s.notify}" has no e-mail address`);
      return { recipient: s.notify, channel, waitMs: parseDurationMs(s.wait) };
    }));
  }
  const wait = n.group_wait ?? {};
  return {
    smtp: url ? { url, from } : undefined,
    from,
    recipients,
    defaultRecipients: n.default_recipients ? known(n.default_recipients, 'default_recipients') : [...recipients.keys()].slice(0, 1),
    foundationRecipients: known(n.foundation_recipients, 'foundation_recipients'),
    timing: {
      groupWaitMs: { critical: parseDurationMs(wait.critical ?? '0s'), warning: parseDurationMs(wait.warning ?? '30s'), info: parseDurationMs(wait.info ?? '1m') },
      groupIntervalMs: parseDurationMs(n.group_interval ?? '1m'),
      repeatIntervalMs: parseDurationMs(n.repeat_interval ?? '4h'),
    },
    chains,
  };
}
