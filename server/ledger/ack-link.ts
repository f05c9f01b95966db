import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, expiring acknowledge links for mails: HMAC-SHA256 over the
 * ticket, the recipient and the expiry, with a secret that never leaves
 * the server. The link opens a confirmation page; only its POST acknowledges,
 * so mail scanners that follow links do not acknowledge by accident.
 */
export class AckLinks {
  constructor(private readonly secret: string, private readonly baseUrl: string, private readonly ttlMs: number) {}

  create(ticket: string, recipient: string, now: number): string {
    const exp = now + this.ttlMs;
    const query = new URLSearchParams({ r: recipient, exp: String(exp), sig: this.sign(ticket, recipient, exp) });
    return `${this.baseUrl}/ack/${encodeURIComponent(ticket)}?${query}`;
  }

  /** Undefined when valid, else the reason. */
  check(ticket: string, recipient: string, exp: number, sig: string, now: number): string | undefined {
    const expected = Buffer.from(this.sign(ticket, recipient, exp));
    const offered = Buffer.from(sig);
    if (expected.length !== offered.length || !timingSafeEqual(expected, offered)) return 'the link is not valid';
    if (now > exp) return 'the link has expired';
    return undefined;
  }

  private sign(ticket: string, recipient: string, exp: number): string {
    return createHmac('sha256', this.secret).update(`${ticket}\n${recipient}\n${exp}`).digest('base64url');
  }
}
