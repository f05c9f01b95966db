import { randomUUID } from 'node:crypto';
import type { Storage } from '../storage/client.ts';
import { dateTimeText, sql, ts } from '../storage/sql.ts';

export interface LockoutSettings {
  failures: number;
  windowMs: number;
}

/** The first wait after `failures` misses; each further miss doubles it, up to an hour. */
const FIRST_WAIT_MS = 30_000;
const LONGEST_WAIT_MS = 3_600_000;

/**
 * Sign-in attempts and the account lockout: after `failures` misses within
 * `window` (since the last success) the account waits, 30 s doubling with
 * every further miss up to an hour. Attempts live in ClickHouse, so a
 * restart or another instance does not reset the count.
 */
export class Lockout {
  constructor(
    private readonly storage: Storage,
    private readonly settings: LockoutSettings,
    private readonly now: () => number,
  ) {}

  /** When the account may try again (epoch ms), or undefined when it may now. */
  async lockedUntil(userId: string): Promise<number | undefined> {
    const since = this.now() - this.settings.windowMs;
    const [row] = await this.storage.query<{ misses: number; last: number }>(sql`
      SELECT count() AS misses, toUnixTimestamp64Milli(max(at)) AS last FROM login_attempts
      WHERE user_id = ${userId} AND NOT ok AND at > ${ts(since)}
        AND at > (SELECT max(at) FROM login_attempts WHERE user_id = ${userId} AND ok)`);
    const misses = Number(row?.misses ?? 0);
    if (misses < this.settings.failures) return undefined;
    const wait = Math.min(LONGEST_WAIT_MS, FIRST_WAIT_MS * 2 ** (misses - this.settings.failures));
    const until = Number(row!.last) + wait;
    return until > this.now() ? until : undefined;
  }

  async record(userId: string, address: string, ok: boolean, reason: string): Promise<void> {
    await this.storage.insertRows('login_attempts', [{ at: dateTimeText(this.now()), user_id: userId, address, ok, reason }], `login-${randomUUID()}`);
  }
}
