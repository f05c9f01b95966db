import type { Storage } from '../storage/client.ts';
import { sql, typed } from '../storage/sql.ts';
import { GENESIS, hashEntry, type AuditFields } from './chain.ts';
import type { ChainHead } from './trail.ts';

export interface VerifyResult {
  ok: boolean;
  entries: number;
  /** The head the table ends with. */
  last: ChainHead;
  /** The first entry where the chain breaks, and why. */
  broken?: { seq: number; reason: string };
  seconds: number;
}

const PAGE = 50_000;

interface Row extends AuditFields {
  seq: number;
  prev_hash: string;
  hash: string;
}

/**
 * Walks the whole chain in sequence order: every entry must follow the one
 * before (no gap, no repeat), name its hash as prev_hash, and hash to what it
 * says; the last entry must reach at least the head kept outside the table,
 * with the same hash there. Any alteration, removal (also of the newest
 * entries) or forged insertion shows as the first entry that fails.
 */
export async function verifyChain(storage: Storage, head: ChainHead | undefined, options: { upToHead?: boolean } = {}): Promise<VerifyResult> {
  // A running server verifies up to its head at the start (entries appended meanwhile are newer); offline, nothing may follow the head.
  const until = options.upToHead && head ? sql`WHERE seq <= ${typed(head.seq, 'UInt64')}` : sql``;
  const started = performance.now();
  let expected = { seq: 0, hash: GENESIS };
  let entries = 0;
  let atHead: string | undefined;
  const fail = (seq: number, reason: string): VerifyResult => ({ ok: false, entries, last: expected, broken: { seq, reason }, seconds: (performance.now() - started) / 1000 });
  for (let from = 0; ; from += PAGE) {
    const rows = await storage.query<Row>(sql`
      SELECT seq, toUnixTimestamp64Milli(at) AS at, actor, role, via, address, action, object, result, status, detail, prev_hash, hash
      FROM audit_log ${until} ORDER BY seq, hash LIMIT ${typed(PAGE, 'UInt64')} OFFSET ${typed(from, 'UInt64')}`);
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq === expected.seq) return fail(seq, `entry ${seq} appears twice (one of them is forged)`);
      if (seq !== expected.seq + 1) return fail(expected.seq + 1, `entry ${expected.seq + 1} is missing (the next is ${seq})`);
      if (r.prev_hash !== expected.hash) return fail(seq, `entry ${seq} does not follow entry ${expected.seq} (its prev_hash differs)`);
      const fields: AuditFields = { at: Number(r.at), actor: r.actor, role: r.role, via: r.via, address: r.address, action: r.action, object: r.object, result: r.result, status: Number(r.status), detail: r.detail };
      const hash = hashEntry(r.prev_hash, seq, fields);
      if (hash !== r.hash) return fail(seq, `entry ${seq} was altered (its content does not match its hash)`);
      if (head && seq === head.seq) atHead = hash;
      expected = { seq, hash };
      entries++;
    }
    if (rows.length < PAGE) break;
  }
  if (head && expected.seq < head.seq) return fail(expected.seq + 1, `entries ${expected.seq + 1}–${head.seq} were removed (the head outside the table counts ${head.seq})`);
  if (head && head.seq > 0 && atHead !== head.hash) return fail(head.seq, `entry ${head.seq} differs from the head kept outside the table`);
  if (head && expected.seq > head.seq) return fail(head.seq + 1, `entries ${head.seq + 1}–${expected.seq} follow the head kept outside the table: forged, or written just before a crash (start the server, which reconciles the head, and verify again)`);
  return { ok: true, entries, last: expected, seconds: (performance.now() - started) / 1000 };
}
