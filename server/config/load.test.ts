import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfigText } from './load.ts';

function configError(text: string, env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    parseConfigText(text, '/etc/mimamori.yaml', env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('uses built-in defaults when no file exists', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const config = loadConfig({}, dir);
    expect(config.source).toBe('built-in defaults');
    expect(config.environments).toEqual(['production', 'staging', 'integration']);
    expect(config.timezone).toBe('Asia/Tokyo');
    expect(config.retention.logsDays).toBe(90);
    expect(config.ingest.flushIntervalMs).toBe(200);
  });

  it('reads durations, sizes and token secrets from the environment', () => {
    const config = parseConfigText(
      'retention: { logs: 30d }\ningest: { max_body_bytes: 8MiB, flush_interval: 1s }\ningest_tokens:\n  - { name: web-1, secret_env: TOKEN_WEB1 }\n',
      'x.yaml',
      { TOKEN_WEB1: 'a-long-enough-secret-value' },
    );
    expect(config.retention.logsDays).toBe(30);
    expect(config.ingest.maxBodyBytes).toBe(8 * 1024 * 1024);
    expect(config.ingest.flushIntervalMs).toBe(1000);
    expect(config.ingestTokens).toEqual([{ name: 'web-1', secret: 'a-long-enough-secret-value' }]);
  });

  it('names file and line of a wrong type', () => {
    const error = configError('timezone: Asia/Tokyo\nretention:\n  logs: ninety days\n');
    expect(error.file).toBe('/etc/mimamori.yaml');
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/^\/etc\/mimamori\.yaml:3: retention\.logs: /);
  });

  it('names the line of an unknown key (a typo never silently disables a setting)', () => {
    const error = configError('environments: [production]\nretension:\n  logs: 30d\n');
    expect(error.line).toBe(2);
    expect(error.reason).toContain('unknown key "retension"');
  });

  it('reports YAML syntax errors with their line', () => {
    const error = configError('environments: [production\nretention: {\n');
    expect(error.line).toBeGreaterThanOrEqual(1);
    expect(error.message).toMatch(/^\/etc\/mimamori\.yaml:\d+: /);
  });

  it('refuses an unknown time zone and a missing token secret, naming the line', () => {
    expect(configError('\n\ntimezone: Mars/Olympus\n').line).toBe(3);
    const missing = configError('ingest_tokens:\n  - name: a\n    secret_env: NOT_SET\n');
    expect(missing.line).toBe(3);
    expect(missing.reason).toContain('NOT_SET is not set');
    expect(configError('ingest_tokens:\n  - { name: a, secret_env: SHORT }\n', { SHORT: 'abc' }).reason).toContain('at least 16');
  });

  it('refuses a missing MIMAMORI_CONFIG file', () => {
    expect(() => loadConfig({ MIMAMORI_CONFIG: '/nonexistent/mimamori.yaml' })).toThrow(/file not found/);
  });

  it('accepts the example file shipped in the repository', () => {
    const text = fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'mimamori.example.yaml'), 'utf8');
    const env = {
      MIMAMORI_TOKEN_WEB1: 'example-secret-1234567890', MIMAMORI_KEY_SATO: 'operator-key-1234567890', MIMAMORI_KEY_FOUNDATION: 'approver-key-1234567890',
      MIMAMORI_PHONE_WEBHOOK_URL: 'https://sms.example.jp/hook', MIMAMORI_PHONE_WEBHOOK_SECRET: 'webhook-secret-123',
    };
    const config = parseConfigText(text, 'mimamori.example.yaml', env);
    expect(config.environments).toContain('production');
    expect(config.rules.length).toBeGreaterThan(0);
    expect(config.notify.chains.size).toBeGreaterThan(0);
  });
});
