import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServerProcess } from '../helpers/server-process.ts';
import { tempDir } from '../helpers/runtime.ts';

// Item 17: a run that uses every kind of secret Mimamori holds — right and
// wrong — leaves none of them in its log file or on its console.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('secrets never reach the logs', () => {
  it('a run with every kind of secret, used well and badly, logs none of them', async () => {
    const dataDir = tempDir();
    const secrets = {
      MIMAMORI_KEY_OPERATOR: 'apikey-OPERATOR-0123456789abcdef',
      MIMAMORI_TOKEN_AGENT: 'ingest-AGENT-0123456789abcdef',
      MIMAMORI_WEBHOOK_SECRET: 'webhook-SECRET-0123456789abcdef',
      MIMAMORI_SMTP_URL: 'smtp://mailer:SMTP-PASSWORD-0123456789@127.0.0.1:9',
      MIMAMORI_WEBHOOK_URL: 'http://hook:WEBHOOK-URL-PASSWORD-01234@127.0.0.1:9/notify',
    };
    const config = path.join(dataDir, 'mimamori.yaml');
    fs.writeFileSync(config, [
      'agent: { enabled: false }',
      'api_keys: [{ actor: operator-script, role: operator, secret_env: MIMAMORI_KEY_OPERATOR }]',
      'ingest_tokens: [{ name: agent, secret_env: MIMAMORI_TOKEN_AGENT }]',
      'notify:',
      '  recipients:',
      '    - { name: operators, email: [ops@example.jp] }',
      '    - { name: phone, webhook: { url_env: MIMAMORI_WEBHOOK_URL, secret_env: MIMAMORI_WEBHOOK_SECRET } }',
      '  default_recipients: [operators, phone]',
      '',
    ].join('\n'));
    const server = await startServerProcess({ MIMAMORI_DATA: dataDir, MIMAMORI_CONFIG: config, LOG_LEVEL: 'debug', ...secrets });
    const adminKey = fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
    const localIngest = fs.readFileSync(path.join(dataDir, 'ingest-token'), 'utf8').trim();
    const setupToken = fs.readFileSync(path.join(dataDir, 'setup-link'), 'utf8').trim().split('#')[1]!;
    // Each call is bounded and named: a request that never answers fails here, with what the server printed.
    const call = (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
      fetch(`${server.url}${url}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      }).catch((error: Error) => {
        throw new Error(`${method} ${url}: ${error.message}\n${server.output().slice(-4000)}`);
      });
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const used: string[] = [...Object.values(secrets), 'SMTP-PASSWORD-0123456789', 'WEBHOOK-URL-PASSWORD-01234', adminKey, localIngest, setupToken];
    try {
      const password = 'V!olet-Harb0ur-91';
      await call('POST', '/api/v1/setup', { token: setupToken, id: 'first-admin', display_name: 'A', password });
      await call('POST', '/api/v1/session', { id: 'first-admin', password: 'Wrong-Passw0rd!x' });
      const signedIn = await call('POST', '/api/v1/session', { id: 'first-admin', password });
      const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
      const { csrf_token: csrf } = (await signedIn.json()) as { csrf_token: string };
      used.push(password, 'Wrong-Passw0rd!x', cookie.split('=')[1]!, csrf);
      for (const kind of ['personal', 'display', 'ingest']) {
        const made = (await (await call('POST', '/api/v1/tokens', { kind, name: kind }, { cookie, 'x-csrf-token': csrf })).json()) as { token: string };
        used.push(made.token);
      }
      const [personal, display, issuedIngest] = used.slice(-3) as [string, string, string];
      await call('GET', '/api/v1/logs', undefined, bearer(personal));
      await call('GET', '/api/v1/wall', undefined, bearer(display));
      await fetch(`${server.url}/wall?token=${display}`, { redirect: 'manual', signal: AbortSignal.timeout(15_000) });
      await call('GET', '/api/v1/logs', undefined, bearer(`${personal}x`)); // a wrong one
      await call('POST', '/api/v1/tickets', { type: 'inquiry', environment: 'production', title: 't' }, bearer(secrets.MIMAMORI_KEY_OPERATOR));
      const probe = [{ timestamp: Date.now(), environment: 'production', target: 'portal', ok: true, total_ms: 6500 }];
      for (const token of [localIngest, secrets.MIMAMORI_TOKEN_AGENT, issuedIngest, 'not-a-token-0123456789']) await call('POST', '/api/v1/ingest/probes', probe, bearer(token));
      await call('POST', '/api/v1/users', { id: 'second', role: 'viewer', display_name: 'B', password: 'Q8#lantern-Moss-2' }, bearer(adminKey));
      used.push('Q8#lantern-Moss-2');
      await sleep(3000); // the slow probe's alert: mail and webhook fail against a closed port, and are logged
    } finally {
      await server.stop();
    }
    const logFile = fs.readFileSync(path.join(dataDir, 'logs', 'mimamori.log'), 'utf8');
    expect(logFile).toMatch(/notification failed/); // the failures that could have carried a URL were logged
    const console = server.output().replace(/\/setup#[\w-]+/g, '/setup#<printed on purpose>');
    for (const secret of used) {
      expect(logFile.includes(secret), `log file holds ${secret.slice(0, 12)}…`).toBe(false);
      expect(console.includes(secret), `console holds ${secret.slice(0, 12)}…`).toBe(false);
    }
  }, 120_000);
});
