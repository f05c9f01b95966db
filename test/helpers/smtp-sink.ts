import net from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Mail {
  at: number;
  to: string[];
  subject: string;
  text: string;
  /** The Message-ID header: a resend of one notification (after a crash) repeats it. */
  messageId: string;
  headers: ParsedMail['headers'];
}

/**
 * A real SMTP server on 127.0.0.1 that keeps every mail it accepts, parsed.
 * `stop()` and `start()` keep the port, so a test can take "the mail
 * server" down and bring it back.
 */
export class SmtpSink {
  readonly mails: Mail[] = [];
  port = 0;
  /** How long the server waits after receiving a mail before answering 250 (a slow mail server; a crash window). */
  acceptDelayMs = 0;
  private server: SMTPServer | undefined;

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        simpleParser(stream).then((mail) => {
          this.mails.push({ at: Date.now(), to: session.envelope.rcptTo.map((r) => r.address), subject: mail.subject ?? '', text: mail.text ?? '', messageId: mail.messageId ?? '', headers: mail.headers });
          if (this.acceptDelayMs > 0) setTimeout(callback, this.acceptDelayMs);
          else callback();
        }, callback);
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as net.AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Waits until `match` holds for some mail (polling), and returns it. */
  async waitFor(match: (m: Mail) => boolean, timeoutMs = 30_000, what = 'a mail'): Promise<Mail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.mails.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms; got: ${JSON.stringify(this.mails.map((m) => m.subject))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
