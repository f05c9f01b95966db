import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { createOutboxChannel } from './outbox.ts';

describe('outbox channel', () => {
  it('writes each mail as a private .eml file a mail reader opens', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'outbox-')), 'outbox');
    const at = Date.parse('2026-11-26T11:30:00.123Z');
    const channel = createOutboxChannel(dir, { now: () => at });
    const subject = '[本番][重大] 発生: ディスク使用率が 90 % 超';
    const ref = await channel.send({ name: 'ops', email: ['ops@example.jp'], language: 'ja' }, { subject, text: '本文です', json: {} }, 'n/7');
    expect(channel.kind).toBe('outbox');
    expect(ref).toBe('outbox/2026-11-26T11-30-00-123Z_n_7.eml'); // what the notification log shows: no absolute path
    const file = path.join(dir, '2026-11-26T11-30-00-123Z_n_7.eml');
    expect(fs.readdirSync(dir)).toEqual(['2026-11-26T11-30-00-123Z_n_7.eml']);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const mail = await simpleParser(fs.readFileSync(file));
    expect(mail.subject).toBe(subject);
    expect(mail.text?.trim()).toBe('本文です');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe('ops@example.jp');
    expect(mail.headers.get('x-mimamori-id')).toBe('n/7');
    expect(mail.messageId).toBe('<n/7@mimamori>');
  });
});
