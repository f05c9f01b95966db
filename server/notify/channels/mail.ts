import type { SendMailOptions } from 'nodemailer';
import type { Message, Recipient } from '../types.ts';

/** `<id@mimamori>`: a resend of the same notification carries the same Message-ID. */
export function messageIdFor(id: string): string {
  return `<${id.replace(/[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]/g, '-')}@mimamori>`;
}

/** The mail both the SMTP and the outbox channel send, so an .eml reads like the real thing. */
export function composeMail(from: string, recipient: Recipient, message: Message, id: string): SendMailOptions {
  return {
    from,
    to: recipient.email,
    subject: message.subject,
    text: message.text,
    messageId: messageIdFor(id),
    headers: { 'X-Mimamori-Id': id.replace(/[\r\n]/g, ' ') },
    textEncoding: 'base64',
  };
}
