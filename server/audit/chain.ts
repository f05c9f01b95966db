import { createHash } from 'node:crypto';

/** One audit entry: who acted, as what, when, from where, on what, and how it ended. Never a secret. */
export interface AuditFields {
  /** Epoch milliseconds. */
  at: number;
  /** The person (user id), the API key's actor, a token's owner; for a failed sign-in, the id tried. */
  actor: string;
  role: string;
  /** session | key | token | setup-link | system */
  via: string;
  address: string;
  /** What was done, e.g. "POST /api/v1/tickets/:number/acknowledge" or "request.approve". */
  action: string;
  /** What it was done to (route parameters, the created object's id), as JSON. */
  object: string;
  result: 'ok' | 'refused' | 'failed';
  status: number;
  /** A little more, never a body: the error code of a refusal, a request's operation. */
  detail: string;
}

export interface AuditEntry extends AuditFields {
  seq: number;
  prev_hash: string;
  hash: string;
}

/** The chain starts from this: an entry 1 whose prev_hash is anything else is forged. */
export const GENESIS = '0'.repeat(64);

/** The text an entry's hash covers: its fields in a fixed order (JSON arrays have one spelling). */
export function canonical(seq: number, f: AuditFields): string {
  return JSON.stringify([seq, f.at, f.actor, f.role, f.via, f.address, f.action, f.object, f.result, f.status, f.detail]);
}

export function hashEntry(prevHash: string, seq: number, fields: AuditFields): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonical(seq, fields)).digest('hex');
}

/** The next entry after `head`. */
export function seal(head: { seq: number; hash: string }, fields: AuditFields): AuditEntry {
  const seq = head.seq + 1;
  return { seq, ...fields, prev_hash: head.hash, hash: hashEntry(head.hash, seq, fields) };
}
