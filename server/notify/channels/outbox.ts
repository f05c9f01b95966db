import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { DeliveryError, type Channel } from '../types.ts';
import { composeMail } from './mail.ts';

export interface OutboxOptions {
  from?: string;
  now?: () => number;
}

/** `2026-11-26T11-30-00-123Z_<id>.eml`: sorts by time, safe on every file system. */
export function outboxFileName(at: number, id: string): string {
  const stamp = new Date(at).toISOString().replace(/[:.]/g, '-');
  return `${stamp}_${id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120)}.eml`;
}

async function writeAtomically(file: string, data: Buffer): Promise<void> {
  const tmp = `${file}.${randomUUID()}.tmp`;
  const handle = await fs.open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
}

/** Without SMTP every mail becomes an RFC 822 .eml file that any mail client opens. */
export function createOutboxChannel(dir: string, options: OutboxOptions = {}): Channel {
  const from = options.from ?? 'Mimamori <mimamori@localhost>';
  const now = options.now ?? Date.now;
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true });
  return {
    kind: 'outbox',
    async send(recipient, message, id) {
      try {
        const info = await composer.sendMail(composeMail(from, recipient, message, id));
        await fs.mkdir(dir, { recursive: true, mode: 0o700 });
        const file = path.join(dir, outboxFileName(now(), id));
        await writeAtomically(file, info.message as Buffer);
        return `outbox/${path.basename(file)}`; // never an absolute path in an answer
      } catch (error) {
        // A full or read-only disk may recover; anything else will not.
        const code = (error as { code?: string }).code;
        throw new DeliveryError(`outbox: ${(error as Error).message}`, code === 'ENOSPC' || code === 'EMFILE' || code === 'EBUSY');
      }
    },
  };
}
