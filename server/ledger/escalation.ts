import type { Ledger } from './ledger.ts';
import { SYSTEM } from './ledger.ts';
import type { Ticket } from './model.ts';
import type { EscalationStep } from '../notify/settings.ts';
import type { Deliveries } from '../notify/deliveries.ts';
import type { Recipient } from '../notify/types.ts';
import { renderEscalation } from '../notify/templates/index.ts';
import type { Severity } from '../rules/config.ts';

export interface EscalatorDeps {
  ledger: Ledger;
  deliveries: Deliveries;
  chains: Map<string, EscalationStep[]>;
  recipients: Map<string, Recipient>;
  links: (ticket: Ticket, recipient: string) => { link: string; ackLink: string };
  isProduction: (environment: string) => boolean;
  timezone: string;
  now: () => number;
  onError: (error: Error) => void;
}

/**
 * Escalation chains: step i fires when the ticket is still unacknowledged
 * the sum of the waits of steps 0..i after it opened (operator mail → expert
 * mail → expert phone webhook → manager). Each fired step is a ticket event,
 * so a restart neither repeats nor skips one. Acknowledging stops the chain.
 */
export class Escalator {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: EscalatorDeps) {}

  start(intervalMs = 1000): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** When the next step of this ticket is due, or undefined when the chain is done or stopped. */
  nextStep(ticket: Ticket): { step: number; dueAt: number; recipient: string; channel: string } | undefined {
    const chain = ticket.escalation ? this.deps.chains.get(ticket.escalation) : undefined;
    if (!chain || ticket.status !== 'open') return undefined;
    let dueAt = ticket.openedAt;
    for (const [step, s] of chain.entries()) {
      dueAt += s.waitMs;
      if (!ticket.escalated.includes(step)) return { step, dueAt, recipient: s.recipient, channel: s.channel };
    }
    return undefined;
  }

  tick(): Promise<void> {
    this.running ??= this.fire().catch(this.deps.onError).finally(() => (this.running = undefined));
    return this.running;
  }

  private async fire(): Promise<void> {
    const now = this.deps.now();
    for (const ticket of this.deps.ledger.unacknowledged()) {
      let next = this.nextStep(ticket);
      while (next && next.dueAt <= now) {
        const step = next;
        const recipient = this.deps.recipients.get(step.recipient)!;
        // Queued before it is recorded, keyed by ticket and step: after a crash in between, the
        // notification log shows it was queued and the step is only recorded, not sent twice.
        // Queued under the ledger's lock, so an acknowledgement either comes first (nothing is
        // sent) or after the message is on its way.
        const key = `${ticket.number}:step${step.step}`;
        const channel = step.channel === 'email' ? 'email' : 'webhook';
        const queued = await this.deps.ledger.exclusive(async () => {
          if (ticket.status !== 'open') return false;
          if (this.deps.deliveries.has(recipient.name, channel, key)) return true;
          const { link, ackLink } = this.deps.links(ticket, recipient.name);
          const message = renderEscalation({
            ticket: { number: ticket.number, title: ticket.title, environment: ticket.environment, production: this.deps.isProduction(ticket.environment), severity: ticket.severity as Severity, openedAt: ticket.openedAt, link, ackLink },
            step: step.step + 1, waitedMs: now - ticket.openedAt, timezone: this.deps.timezone,
          }, recipient.language);
          await this.deps.deliveries.enqueue({ purpose: 'escalation', channel, recipient, groupKey: ticket.number, alertKeys: [key], ticket: ticket.number, message });
          return true;
        });
        if (!queued) break;
        await this.deps.ledger.record(ticket.number, 'escalated', SYSTEM, { step: step.step, recipient: step.recipient, channel: step.channel }, (t) => !t.escalated.includes(step.step));
        next = this.nextStep(ticket);
      }
    }
  }
}
