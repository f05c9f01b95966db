import { randomUUID } from 'node:crypto';
import type { Storage } from '../storage/client.ts';
import { dateTimeText, sql, ts } from '../storage/sql.ts';
import { DeliveryError, type Channel, type ChannelKind, type Message, type Recipient } from './types.ts';

export type Purpose = 'alert' | 'escalation' | 'workaround' | 'suppressed' | 'account-review';

export interface Outgoing {
  purpose: Purpose;
  channel: ChannelKind;
  recipient: Recipient;
  groupKey: string;
  /** What this message tells the recipient, e.g. `<fingerprint>@<since>:firing`; the dedup keys. */
  alertKeys: string[];
  ticket: string;
  message: Message;
}

interface Pending extends Outgoing {
  id: string;
  attempt: number;
  firstAt: number;
}

export interface DeliveryHooks {
  sent(channel: ChannelKind, purpose: Purpose, ms: number): void;
  failed(channel: ChannelKind, error: Error, retryInMs: number | undefined): void;
}

const MAX_BACKOFF_MS = 60_000;
const GIVE_UP_MS = 24 * 3_600_000;
const MEMORY_MS = 30 * 86_400_000;

/**
 * The notification log and the send queue in one: a message is recorded as
 * `queued` before the first attempt and `sent` after the channel accepts
 * it, so (1) `has()` tells the dispatcher what a recipient already got and
 * (2) a message queued before a crash is sent after the restart. Retryable
 * failures back off exponentially (1 s … 60 s) for up to 24 h.
 */
export class Deliveries {
  private readonly told = new Set<string>();
  /** When each recipient × channel × group last got an alert message, from the log (repeat_interval survives restarts). */
  private readonly lastAlert = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  private constructor(
    private readonly storage: Storage,
    private readonly channels: Partial<Record<ChannelKind, Channel>>,
    private readonly hooks: DeliveryHooks,
    private readonly now: () => number,
  ) {}

  /** Reads what was told; with `resume` (not on a replica), sends again what a stop left queued or retrying. */
  static async open(storage: Storage, channels: Partial<Record<ChannelKind, Channel>>, recipients: Map<string, Recipient>, hooks: DeliveryHooks, now: () => number, options: { resume?: boolean } = {}): Promise<Deliveries> {
    const deliveries = new Deliveries(storage, channels, hooks, now);
    const rows = await storage.query<{ id: string; last_status: string; p: Purpose; ch: ChannelKind; rcpt: string; g: string; keys: string[]; t: string; subj: string; body: string; doc: string; attempts: number; first_ms: number }>(sql`
      SELECT id, argMax(status, (at, status != 'queued')) AS last_status, any(purpose) AS p, any(channel) AS ch, any(recipient) AS rcpt, any(group_key) AS g,
             any(alert_keys) AS keys, any(ticket) AS t, anyIf(subject, status = 'queued') AS subj, anyIf(text, status = 'queued') AS body,
             anyIf(json, status = 'queued') AS doc, max(attempt) AS attempts, toUnixTimestamp64Milli(min(at)) AS first_ms
      FROM notifications WHERE at > ${ts(now() - MEMORY_MS)} GROUP BY id`);
    for (const r of rows) {
      if (r.last_status === 'suppressed' || r.last_status === 'failed') continue;
      for (const key of r.keys) deliveries.told.add(`${r.rcpt}|${r.ch}|${key}`);
      if (r.p === 'alert') {
        const key = `${r.rcpt}|${r.ch}|${r.g}`;
        deliveries.lastAlert.set(key, Math.max(deliveries.lastAlert.get(key) ?? 0, Number(r.first_ms)));
      }
      const recipient = recipients.get(r.rcpt);
      if ((r.last_status === 'queued' || r.last_status === 'retry') && recipient && options.resume !== false) {
        const message = { subject: r.subj, text: r.body, json: JSON.parse(r.doc || '{}') };
        deliveries.attempt({ id: r.id, purpose: r.p, channel: r.ch, recipient, groupKey: r.g, alertKeys: r.keys, ticket: r.t, message, attempt: Number(r.attempts), firstAt: Number(r.first_ms) });
      }
    }
    return deliveries;
  }

  /** Has this recipient (on this channel) been sent, or is it being sent, this key? */
  has(recipient: string, channel: ChannelKind, key: string): boolean {
    return this.told.has(`${recipient}|${channel}|${key}`);
  }

  lastAlertSent(recipient: string, channel: ChannelKind, groupKey: string): number | undefined {
    return this.lastAlert.get(`${recipient}|${channel}|${groupKey}`);
  }

  /** Records the message as queued (durably), then sends it in the background. */
  async enqueue(out: Outgoing): Promise<string> {
    const pending: Pending = { ...out, id: randomUUID(), attempt: 0, firstAt: this.now() };
    await this.log(pending, 'queued', '');
    // Only once the queued row is written: if it was not, a later flush tries again.
    for (const key of out.alertKeys) this.told.add(`${out.recipient.name}|${out.channel}|${key}`);
    this.attempt(pending);
    return pending.id;
  }

  /** Records that a notification was held back (maintenance, silence) and why; nothing is sent. */
  async suppressed(recipient: string, groupKey: string, alertKeys: string[], ticket: string, reason: string): Promise<void> {
    const row = { id: randomUUID(), purpose: 'suppressed' as const, channel: 'email' as const, recipient: { name: recipient, email: [], language: 'ja' as const }, groupKey, alertKeys, ticket, message: { subject: '', text: '', json: {} }, attempt: 0, firstAt: this.now() };
    await this.log(row, 'suppressed', reason);
  }

  /** Resolves when nothing is being sent right now (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  pendingCount(): number {
    return this.inFlight.size + this.timers.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    await this.idle();
    await Promise.all(Object.values(this.channels).map((c) => c?.close?.()));
  }

  private attempt(p: Pending): void {
    if (this.closed) return;
    const work = this.send(p).finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  private async send(p: Pending): Promise<void> {
    const channel = this.channels[p.channel];
    p.attempt += 1;
    const started = performance.now();
    try {
      if (!channel) throw new DeliveryError(`no ${p.channel} channel is configured`, false);
      const ref = await channel.send(p.recipient, p.message, p.id);
      this.hooks.sent(p.channel, p.purpose, performance.now() - started);
      await this.log(p, 'sent', ref);
    } catch (error) {
      const retryable = !(error instanceof DeliveryError) || error.retryable;
      const giveUp = !retryable || this.now() - p.firstAt > GIVE_UP_MS;
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (p.attempt - 1));
      this.hooks.failed(p.channel, error as Error, giveUp ? undefined : delay);
      await this.log(p, giveUp ? 'failed' : 'retry', (error as Error).message).catch(() => undefined);
      if (giveUp || this.closed) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.attempt(p);
      }, delay);
      this.timers.add(timer);
    }
  }

  private async log(p: Pending, status: string, reason: string): Promise<void> {
    const full = status === 'queued';
    await this.storage.insertRows('notifications', [{
      at: dateTimeText(this.now()), id: p.id, status, purpose: p.purpose, channel: p.channel, recipient: p.recipient.name, group_key: p.groupKey,
      alert_keys: p.alertKeys, ticket: p.ticket, subject: full ? p.message.subject : '', text: full ? p.message.text : '', json: full ? JSON.stringify(p.message.json) : '',
      attempt: p.attempt, reason: reason.slice(0, 500),
    }], randomUUID());
  }
}
