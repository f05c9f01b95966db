import { describe, expect, it } from 'vitest';
import { scrubSecrets } from './logger.ts';

describe('secrets inside log text', () => {
  it.each([
    ['GET /wall?token=mimd_abcdefghijkl_secretsecretsecretsecretsecret00 failed', 'GET /wall?token=[redacted] failed'],
    ['connect smtp://mailer:P4ssw0rd@mail.example.jp:587 refused', 'connect smtp://mailer:[redacted]@mail.example.jp:587 refused'],
    ['token mimp_abcdefghijkl_secretsecretsecretsecretsecret00 unknown', 'token [redacted token] unknown'],
    ['header was Bearer abc.def.ghi', 'header was Bearer [redacted]'],
    ['/api/v1/logs?limit=5&service=web', '/api/v1/logs?limit=5&service=web'],
  ])('%s', (text, scrubbed) => {
    expect(scrubSecrets(text)).toBe(scrubbed);
  });
});
