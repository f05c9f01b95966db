import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError, type Message, type Recipient } from '../types.ts';
import { createWebhookChannel } from './webhook.ts';

interface Hit {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
const hits: Hit[] = [];
// The path picks the answer: /status/503 answers 503, /hang never answers.
const receiver = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    hits.push({ url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
    if (request.url?.startsWith('/hang')) return;
    const status = Number(/^\/status\/(\d+)/.exec(request.url ?? '')?.[1] ?? 200);
    response.writeHead(status).end('ok');
  });
});
let base = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

const message: Message = { subject: 's', text: 't', json: { type: 'alert', summary: '[本番][重大] 発生' } };
const hook = (url: string, secret?: string): Recipient => ({ name: 'pager', email: [], webhook: { url, secret }, language: 'ja' });

async function deliveryError(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe('webhook channel', () => {
  it('posts the JSON with its id and a signature the receiver can verify', async () => {
    const channel = createWebhookChannel();
    expect(await channel.send(hook(`${base}/hooks/pager?token=abc`, 's3cret'), message, 'n-9')).toBe('HTTP 200');
    const hit = hits.at(-1)!;
    expect(hit.url).toBe('/hooks/pager?token=abc');
    expect(JSON.parse(hit.body)).toEqual(message.json);
    expect(hit.headers['content-type']).toBe('application/json');
    expect(hit.headers['user-agent']).toBe('mimamori');
    expect(hit.headers['x-mimamori-id']).toBe('n-9');
    expect(hit.headers['x-mimamori-signature']).toBe(`sha256=${createHmac('sha256', 's3cret').update(hit.body).digest('hex')}`);
  });

  it('sends no signature without a secret', async () => {
    await createWebhookChannel().send(hook(`${base}/plain`), message, 'n-10');
    expect(hits.at(-1)!.headers['x-mimamori-signature']).toBeUndefined();
  });

  it('retries 5xx and 429, never showing the query string or the secret', async () => {
    const channel = createWebhookChannel();
    const error = await deliveryError(channel.send(hook(`${base}/status/503?token=abc`, 's3cret'), message, 'n-11'));
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(`webhook ${base}/status/503 answered 503`);
    expect(error.message).not.toMatch(/abc|s3cret/);
    expect((await deliveryError(channel.send(hook(`${base}/status/429`), message, 'n-12'))).retryable).toBe(true);
  });

  it('gives up on other 4xx', async () => {
    const error = await deliveryError(createWebhookChannel().send(hook(`${base}/status/400?token=abc`), message, 'n-13'));
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain('abc');
  });

  it('retries a timeout and a refused connection', async () => {
    const slow = await deliveryError(createWebhookChannel({ timeoutMs: 200 }).send(hook(`${base}/hang?token=abc`), message, 'n-14'));
    expect(slow.retryable).toBe(true);
    expect(slow.message).not.toContain('abc');
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await deliveryError(createWebhookChannel().send(hook(`http://127.0.0.1:${port}/x?token=abc`), message, 'n-15'));
    expect(refused.retryable).toBe(true);
    expect(refused.message).toBe(`webhook http://127.0.0.1:${port}/x failed: ECONNREFUSED`);
  });

  it('does not retry a recipient without a webhook', async () => {
    const error = await deliveryError(createWebhookChannel().send({ name: 'x', email: [], language: 'en' }, message, 'n-16'));
    expect(error.retryable).toBe(false);
  });
});
