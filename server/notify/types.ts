import type { Alert } from '../rules/types.ts';
import type { Language } from './config.ts';

export type ChannelKind = 'email' | 'webhook' | 'outbox';

export interface Recipient {
  name: string;
  email: string[];
  webhook?: { url: string; secret?: string };
  language: Language;
}

/** The channels a recipient is reached on: e-mail when it has addresses, the webhook when it has one. */
export const channelsOf = (r: Recipient): ('email' | 'webhook')[] => [...(r.email.length ? (['email'] as const) : []), ...(r.webhook ? (['webhook'] as const) : [])];

/** What a channel sends: a mail (subject/text) or, for webhooks, the same plus a JSON document. */
export interface Message {
  subject: string;
  text: string;
  /** For webhooks: the JSON body (event, severity, environment, ticket, link, …). */
  json: Record<string, unknown>;
}

export interface Delivery {
  recipient: Recipient;
  channel: ChannelKind;
  message: Message;
}

/** A failed send: `retryable` says whether trying again may succeed (SMTP 4xx, network, HTTP 5xx/429). */
export class DeliveryError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export interface Channel {
  kind: ChannelKind;
  /** Sends once; throws DeliveryError. Returns an id for the record (SMTP message id, HTTP status). */
  send(recipient: Recipient, message: Message, id: string): Promise<string>;
  close?(): Promise<void>;
}

/** Ticket facts a template shows (kept small so notify never imports the ledger). */
export interface TicketRef {
  number: string;
  link: string;
  ackLink?: string;
}

/** Everything an alert mail can say; templates turn it into ja or en text. */
export interface AlertNotice {
  environment: string;
  production: boolean;
  rule: string;
  firing: Alert[];
  /** Firing alerts whose series stopped reporting: not recovered, no reading (optional: none in most mails). */
  noData?: Alert[];
  resolved: Alert[];
  ticket?: TicketRef;
  /** Warn/error lines of the alert's host or service (none for a target: its logs are not known to be its). */
  recentLogs: { timestamp: string; level: string; service: string; host: string; message: string }[];
  /** A target's newest probes, so the mail says what failed and how (status, error). */
  recentProbes?: { at: number; ok: boolean; status: number; error: string; total_ms: number }[];
  workaround?: { id: string; title: string; version: number; steps: string[] };
  timezone: string;
  repeat: boolean;
}
