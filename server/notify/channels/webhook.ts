import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { DeliveryError, type Channel } from '../types.ts';

export interface WebhookChannelOptions {
  timeoutMs?: number;
}

/** The URL as logs may show it: no credentials, no query string (tokens live there). */
export function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** `sha256=<hex>` over the exact body bytes, so a receiver can check the sender. */
export function signBody(body: Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function post(url: URL, body: Buffer, headers: Record<string, string>, timeoutMs: number): Promise<number> {
  const where = describeUrl(url);
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', (error) => reject(new DeliveryError(`webhook ${where} failed: ${(error as NodeJS.ErrnoException).code ?? 'read error'}`, true)));
    });
    const timer = setTimeout(() => request.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), timeoutMs);
    request.on('close', () => clearTimeout(timer));
    // Only the error code: a system error's message may quote the URL.
    request.on('error', (error: NodeJS.ErrnoException) => reject(new DeliveryError(`webhook ${where} failed: ${error.code ?? 'network error'}`, true)));
    request.end(body);
  });
}

/** JSON POST to a phone/SMS gateway or chat; `X-Mimamori-Id` lets the receiver drop a resend. */
export function createWebhookChannel(options: WebhookChannelOptions = {}): Channel {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    kind: 'webhook',
    async send(recipient, message, id) {
      const target = recipient.webhook;
      if (!target) throw new DeliveryError(`recipient ${recipient.name} has no webhook`, false);
      let url: URL;
      try {
        url = new URL(target.url);
      } catch {
        throw new DeliveryError(`recipient ${recipient.name} has an invalid webhook URL`, false);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DeliveryError(`webhook for ${recipient.name} is not http(s)`, false);
      const body = Buffer.from(JSON.stringify(message.json));
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'mimamori', 'x-mimamori-id': id.replace(/[\r\n]/g, ' ') };
      if (target.secret) headers['x-mimamori-signature'] = signBody(body, target.secret);
      const status = await post(url, body, headers, timeoutMs);
      if (status >= 200 && status < 300) return `HTTP ${status}`;
      throw new DeliveryError(`webhook ${describeUrl(url)} answered ${status}`, status >= 500 || status === 429);
    },
  };
}
