import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { KINDS, type Batch, type Spool } from './spool.ts';

export interface PushTarget {
  /** Base URL of the Mimamori server, e.g. http://127.0.0.1:8080 */
  server: string;
  token: string;
  /** Prefix of every Idempotency-Key, unique per agent. */
  agentId: string;
}

export interface PushCounters {
  sentRecords: number;
  sentBatches: number;
  retries: number;
  rejectedRecords: number;
}

const MAX_BACKOFF_MS = 30_000;
/** Two requests in flight let the server validate one batch while it writes the other. */
const IN_FLIGHT = 2;

/**
 * Sends spooled batches, oldest first (two in flight), each with its own Idempotency-Key so
 * a retry after a lost answer is stored once. A batch leaves the spool only
 * on 200. Unreachable or failing server: exponential backoff. A batch the
 * server refuses as invalid (400) can never succeed: it is dropped and
 * counted, so it cannot block what follows.
 */
export class Pusher {
  readonly counters: PushCounters = { sentRecords: 0, sentBatches: 0, retries: 0, rejectedRecords: 0 };
  private failures = 0;
  private readonly agent: http.Agent;

  constructor(
    private readonly spool: Spool,
    private readonly target: PushTarget,
    private readonly log: (level: 'warn' | 'error', msg: string, fields: Record<string, unknown>) => void,
  ) {
    this.agent = new (target.server.startsWith('https:') ? https : http).Agent({ keepAlive: true, maxSockets: 2 });
  }

  /** Sends everything waiting, two batches at a time; returns the delay before the next attempt (0 when all went). */
  async pushAll(): Promise<number> {
    for (const kind of KINDS) {
      for (let batches = await this.spool.oldest(kind, IN_FLIGHT); batches.length > 0; batches = await this.spool.oldest(kind, IN_FLIGHT)) {
        const outcomes = await Promise.all(batches.map((b) => this.send(b)));
        for (const [i, outcome] of outcomes.entries()) if (outcome === 'done') await this.spool.acknowledge(batches[i]!);
        if (outcomes.includes('retry')) return this.backoff();
      }
    }
    this.failures = 0;
    return 0;
  }

  close(): void {
    this.agent.destroy();
  }

  private backoff(): number {
    this.counters.retries++;
    return Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(this.failures++, 10));
  }

  private async send(batch: Batch): Promise<'done' | 'retry'> {
    const body = await fs.readFile(batch.file);
    try {
      const { status, text } = await this.post(`/api/v1/ingest/${batch.kind}`, body, `${this.target.agentId}-${batch.kind}-${batch.id}`);
      if (status === 200) {
        this.counters.sentRecords += batch.rows;
        this.counters.sentBatches++;
        return 'done';
      }
      if (status === 400 || status === 413) {
        this.counters.rejectedRecords += batch.rows;
        this.log('error', 'the server refused a batch; dropped it', { kind: batch.kind, records: batch.rows, status, answer: text.slice(0, 500) });
        return 'done';
      }
      this.log('warn', 'the server did not take a batch; will retry', { kind: batch.kind, status, answer: text.slice(0, 200) });
    } catch (error) {
      if (this.failures === 0) this.log('warn', 'cannot reach the server; spooling until it answers', { server: this.target.server, error: (error as Error).message });
    }
    return 'retry';
  }

  private post(pathname: string, body: Buffer, key: string): Promise<{ status: number; text: string }> {
    const url = new URL(pathname, this.target.server);
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          timeout: 30_000,
          headers: { authorization: `Bearer ${this.target.token}`, 'content-type': 'application/x-ndjson', 'content-length': body.length, 'idempotency-key': key },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }
}
