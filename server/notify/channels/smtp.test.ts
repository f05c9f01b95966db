import net from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError, type Message, type Recipient } from '../types.ts';
import { createSmtpChannel } from './smtp.ts';

const received: ParsedMail[] = [];
// Addresses the fake relay refuses, with the reply code it refuses them with.
const REFUSED: Record<string, number> = { 'unknown@example.jp': 550, 'busy@example.jp': 451 };

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onRcptTo(address, _session, callback) {
    const code = REFUSED[address.address];
    if (code) return callback(Object.assign(new Error(code === 550 ? 'mailbox unknown' : 'try again later'), { responseCode: code }));
    callback();
  },
  onData(stream, _session, callback) {
    simpleParser(stream).then((mail) => {
      received.push(mail);
      callback();
    }, callback);
  },
});
let port = 0;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(resolve));
});

const message: Message = { subject: '[本番][重大] 発生: 応答時間が 5000 ms 超 — api-1', text: '計測値: 6012 ms (しきい値 5000 ms)\n確認: https://mimamori.example.jp/ack', json: {} };
const to = (...email: string[]): Recipient => ({ name: 'ops', email, language: 'ja' });

async function deliveryError(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe('smtp channel', () => {
  it('delivers a Japanese mail with the notification id in the headers', async () => {
    const channel = createSmtpChannel({ url: `smtp://127.0.0.1:${port}`, from: 'Mimamori <mimamori@example.jp>' });
    const result = await channel.send(to('ops@example.jp'), message, 'n-42.1');
    await channel.close?.();
    expect(result).toContain('<n-42.1@mimamori>');
    const mail = received.at(-1)!;
    expect(mail.subject).toBe(message.subject);
    expect(mail.text?.trim()).toBe(message.text);
    expect(mail.messageId).toBe('<n-42.1@mimamori>');
    expect(mail.headers.get('x-mimamori-id')).toBe('n-42.1');
    expect(mail.from?.text).toContain('mimamori@example.jp');
  });

  it('refuses to retry a permanently unknown mailbox (550)', async () => {
    const channel = createSmtpChannel({ url: `smtp://127.0.0.1:${port}`, from: 'mimamori@example.jp' });
    const error = await deliveryError(channel.send(to('unknown@example.jp'), message, 'n-1'));
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('550');
  });

  it('retries a temporary refusal (451)', async () => {
    const channel = createSmtpChannel({ url: `smtp://127.0.0.1:${port}`, from: 'mimamori@example.jp' });
    const error = await deliveryError(channel.send(to('busy@example.jp'), message, 'n-2'));
    expect(error.retryable).toBe(true);
  });

  it('still delivers to the accepted recipients when one is refused', async () => {
    const channel = createSmtpChannel({ url: `smtp://127.0.0.1:${port}`, from: 'mimamori@example.jp' });
    const result = await channel.send(to('ops@example.jp', 'unknown@example.jp'), message, 'n-3');
    expect(result).toContain('rejected unknown@example.jp');
  });

  it('talks plain to a loopback relay that offers STARTTLS with a self-signed certificate', async () => {
    const relay = new SMTPServer({ authOptional: true, logger: false, onData: (stream, _s, callback) => stream.on('end', () => callback()).resume() });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const relayPort = (relay.server.address() as net.AddressInfo).port;
    const channel = createSmtpChannel({ url: `smtp://localhost:${relayPort}`, from: 'mimamori@example.jp' });
    await expect(channel.send(to('ops@example.jp'), message, 'n-5')).resolves.toContain('250');
    await new Promise<void>((resolve) => relay.close(resolve));
  });

  it('retries when nothing listens', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const channel = createSmtpChannel({ url: `smtp://127.0.0.1:${closedPort}`, from: 'mimamori@example.jp' });
    const error = await deliveryError(channel.send(to('ops@example.jp'), message, 'n-4'));
    expect(error.retryable).toBe(true);
  });
});
