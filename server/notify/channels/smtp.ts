import nodemailer, { type SMTPTransportOptions } from 'nodemailer';
import { DeliveryError, type Channel } from '../types.ts';
import { composeMail } from './mail.ts';

export interface SmtpChannelOptions {
  /** smtp://user:pass@host:port or smtps://…; query parameters become nodemailer options. */
  url: string;
  from: string;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** What the transport needs beyond the URL: TLS policy and timeouts short enough not to stall the pipeline. */
function transportOptions(url: string): SMTPTransportOptions {
  const parsed = new URL(url);
  const options: SMTPTransportOptions = { url, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 };
  // smtp:// on loopback is a local relay, often with a self-signed certificate: talk plain unless
  // the URL asks for STARTTLS (?requireTLS=true); elsewhere keep nodemailer's opportunistic STARTTLS.
  if (parsed.protocol === 'smtp:' && LOOPBACK_HOSTS.has(parsed.hostname)) {
    options.secure = false;
    options.ignoreTLS = parsed.searchParams.get('requireTLS') !== 'true';
  }
  return options;
}

const RETRYABLE_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EMAXLIMIT']);

/** SMTP 4xx and network trouble may pass; 5xx (unknown mailbox, refused login) will not. */
export function toDeliveryError(error: unknown): DeliveryError {
  const err = error as { message?: string; code?: string; responseCode?: number };
  const message = `smtp: ${err.message ?? String(error)}`;
  if (typeof err.responseCode === 'number') return new DeliveryError(message, err.responseCode < 500);
  return new DeliveryError(message, err.code !== undefined && RETRYABLE_CODES.has(err.code));
}

export function createSmtpChannel(options: SmtpChannelOptions): Channel {
  const transport = nodemailer.createTransport(transportOptions(options.url));
  return {
    kind: 'email',
    async send(recipient, message, id) {
      if (recipient.email.length === 0) throw new DeliveryError(`recipient ${recipient.name} has no e-mail address`, false);
      try {
        const info = await transport.sendMail(composeMail(options.from, recipient, message, id));
        // Some recipients refused, others took it: the accepted ones must not get it twice, so this is no failure.
        const rejected = info.rejected.length > 0 ? `; rejected ${info.rejected.join(', ')}` : '';
        return `${info.messageId} ${info.response}${rejected}`;
      } catch (error) {
        throw toDeliveryError(error);
      }
    },
    async close() {
      transport.close();
    },
  };
}
