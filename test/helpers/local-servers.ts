import http from 'node:http';
import net from 'node:net';

/** A monitored system stand-in: answers "ok" after `delayMs` (set it to 6000 to break the 5 s target). */
export class SwitchableTarget {
  delayMs = 0;
  /** Set when the delay last changed, for end-to-end latency. */
  switchedAt = 0;
  /** When each request arrived. */
  readonly requests: number[] = [];
  private readonly server = http.createServer((_req, res) => {
    this.requests.push(Date.now());
    const timer = setTimeout(() => res.end('ok 財団'), this.delayMs);
    res.on('close', () => clearTimeout(timer));
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}/`;
  }

  setDelay(ms: number): void {
    this.delayMs = ms;
    this.switchedAt = Date.now();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export interface Hook {
  at: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A phone/SMS gateway stand-in that records every webhook it receives. */
export class WebhookReceiver {
  readonly hooks: Hook[] = [];
  private readonly server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      this.hooks.push({ at: Date.now(), headers: req.headers, body: JSON.parse(text || '{}') });
      res.end('{}');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}/hook`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
