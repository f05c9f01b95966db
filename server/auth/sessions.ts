import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Storage } from '../storage/client.ts';
import { dateTimeText, sql, ts } from '../storage/sql.ts';
import type { Role } from './config.ts';
import { FreshCache } from './fresh-cache.ts';

/** What a request learns from a valid session. */
export interface SessionView {
  id: string;
  userId: string;
  displayName: string;
  role: Role;
  language: 'ja' | 'en';
  mustChangePassword: boolean;
  createdAt: number;
  expiresAt: number;
}

interface Loaded {
  view: SessionView;
  /** last_seen_at as stored (by any instance). */
  lastSeen: number;
}

/** This instance's use of a session: when it was last used, and when that was last written. */
interface Activity {
  lastSeen: number;
  storedLastSeen: number;
}

export interface SessionSettings {
  idleMs: number;
  absoluteMs: number;
}

/** A session read from the database is used at most this long on an instance: an ended one is out everywhere within it. */
export const SESSION_CHECK_MS = 1000;
/** Sessions used within this long are kept fresh in the background, so their requests do not wait for the database. */
const ACTIVE_MS = 15 * 60_000;
/** last_seen_at is written at most this often (the idle timeout is minutes). */
const TOUCH_MS = 60_000;
const MAX_CACHED = 100_000;

/** The stored id of a session: the cookie itself is never stored. */
export const sessionId = (token: string) => createHash('sha256').update(`session:${token}`).digest('hex');
/** The CSRF token of a session, derived from its cookie: only a page that can read our answers knows it. */
export const csrfToken = (token: string) => createHash('sha256').update(`csrf:${token}`).digest('base64url');

export function csrfMatches(token: string, offered: string | undefined): boolean {
  const expected = Buffer.from(csrfToken(token));
  const given = Buffer.from(offered ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface LoadedRow {
  id: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  ended: number;
  role: string;
  display_name: string;
  language: string;
  must_change_password: boolean | number;
  enabled: boolean | number;
  deleted: boolean | number;
}

/**
 * Sign-in sessions, kept in ClickHouse so they survive a restart and every
 * instance sees the same ones. Each instance uses what it read of a session
 * for at most one second (re-read in the background while in use), so a
 * check costs a map lookup, and ending a session (sign-out; a disabled,
 * deleted or re-roled user) takes effect everywhere within a second.
 */
export class SessionStore {
  private readonly cache: FreshCache<Loaded>;
  private readonly activity = new Map<string, Activity>();
  private lastVersion = 0;

  constructor(
    private readonly storage: Storage,
    private readonly settings: SessionSettings,
    private readonly now: () => number,
  ) {
    this.cache = new FreshCache({ maxAgeMs: SESSION_CHECK_MS, activeMs: ACTIVE_MS, maxEntries: MAX_CACHED, loadMany: (ids) => this.loadMany(ids), now });
  }

  /** Keeps the sessions in use fresh in the background (stop() before the store closes). */
  start(): void {
    this.cache.start();
  }

  stop(): void {
    this.cache.stop();
  }

  async create(userId: string, meta: { address: string; userAgent: string }): Promise<{ token: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    const at = this.now();
    const expiresAt = at + this.settings.absoluteMs;
    await this.write({ id: sessionId(token), user_id: userId, created_at: at, last_seen_at: at, expires_at: expiresAt, address: meta.address, user_agent: meta.userAgent.slice(0, 300) });
    return { token, expiresAt };
  }

  /** The session behind a cookie, or undefined when it is unknown, ended, timed out, or its user may no longer sign in. */
  async check(token: string): Promise<SessionView | undefined> {
    const id = sessionId(token);
    const at = this.now();
    const loaded = await this.cache.get(id);
    if (!loaded || at >= loaded.view.expiresAt) return undefined;
    let mine = this.activity.get(id);
    if (!mine) {
      mine = { lastSeen: loaded.lastSeen, storedLastSeen: loaded.lastSeen };
      this.activity.set(id, mine);
      if (this.activity.size > MAX_CACHED) this.activity.delete(this.activity.keys().next().value!);
    }
    // Another instance may have seen it more recently (it writes last_seen_at too).
    if (at - Math.max(mine.lastSeen, loaded.lastSeen) >= this.settings.idleMs) return undefined;
    mine.lastSeen = at;
    if (at - mine.storedLastSeen >= TOUCH_MS) {
      mine.storedLastSeen = at;
      // Off the request's path: the idle timeout is minutes, a late write costs nothing.
      void this.touch(id, at).catch(() => undefined);
    }
    return loaded.view;
  }

  /** Ends one session (sign-out). */
  async end(token: string, reason: string): Promise<void> {
    const id = sessionId(token);
    const [row] = await this.storage.query<{ user_id: string }>(sql`SELECT user_id FROM sessions FINAL WHERE id = ${id}`);
    if (row) await this.appendEnds([{ id, user_id: row.user_id }], reason);
  }

  /** Ends every open session of a user (disabled, deleted, role or password changed). Returns how many. */
  async endAllFor(userId: string, reason: string): Promise<number> {
    const open = await this.storage.query<{ id: string; user_id: string }>(sql`
      SELECT id, user_id FROM sessions FINAL
      WHERE user_id = ${userId} AND expires_at > ${ts(this.now())} AND id NOT IN (SELECT id FROM session_ends WHERE user_id = ${userId})`);
    await this.appendEnds(open, reason);
    return open.length;
  }

  private async appendEnds(sessions: { id: string; user_id: string }[], reason: string): Promise<void> {
    if (sessions.length === 0) return;
    const at = dateTimeText(this.now());
    await this.storage.insertRows('session_ends', sessions.map((s) => ({ id: s.id, user_id: s.user_id, at, reason })), `session-ends-${randomUUID()}`);
    for (const s of sessions) {
      this.cache.delete(s.id);
      this.activity.delete(s.id);
    }
  }

  private async touch(id: string, at: number): Promise<void> {
    const [row] = await this.storage.query<{ user_id: string; created_at: number; expires_at: number; address: string; user_agent: string }>(sql`
      SELECT user_id, toUnixTimestamp64Milli(created_at) AS created_at, toUnixTimestamp64Milli(expires_at) AS expires_at, address, user_agent FROM sessions FINAL WHERE id = ${id}`);
    if (row) await this.write({ ...row, id, created_at: Number(row.created_at), expires_at: Number(row.expires_at), last_seen_at: at });
  }

  /** The sessions among `ids` that may still be used (not ended, not expired, their user enabled). */
  private async loadMany(ids: string[]): Promise<Map<string, Loaded>> {
    const at = this.now();
    const rows = await this.storage.query<LoadedRow>(sql`
      SELECT s.id AS id, s.user_id AS user_id, toUnixTimestamp64Milli(s.created_at) AS created_at, toUnixTimestamp64Milli(s.last_seen_at) AS last_seen_at,
        toUnixTimestamp64Milli(s.expires_at) AS expires_at, e.n AS ended,
        u.role AS role, u.display_name AS display_name, u.language AS language, u.must_change_password AS must_change_password, u.enabled AS enabled, u.deleted AS deleted
      FROM (SELECT * FROM sessions FINAL WHERE id IN ${ids}) AS s
      INNER JOIN (SELECT * FROM users FINAL WHERE id IN (SELECT user_id FROM sessions WHERE id IN ${ids})) AS u ON u.id = s.user_id
      LEFT JOIN (SELECT id, count() AS n FROM session_ends WHERE id IN ${ids} GROUP BY id) AS e ON e.id = s.id`);
    const found = new Map<string, Loaded>();
    for (const r of rows) {
      if (Number(r.ended) > 0 || !r.enabled || r.deleted || Number(r.expires_at) <= at) continue;
      found.set(r.id, {
        lastSeen: Number(r.last_seen_at),
        view: { id: r.id, userId: r.user_id, displayName: r.display_name, role: r.role as Role, language: r.language === 'en' ? 'en' : 'ja', mustChangePassword: Boolean(r.must_change_password), createdAt: Number(r.created_at), expiresAt: Number(r.expires_at) },
      });
    }
    return found;
  }

  private async write(row: { id: string; user_id: string; created_at: number; last_seen_at: number; expires_at: number; address: string; user_agent: string }): Promise<void> {
    this.lastVersion = Math.max(this.now() * 1000, this.lastVersion + 1);
    await this.storage.insertRows('sessions', [{
      ...row,
      version: this.lastVersion,
      created_at: dateTimeText(row.created_at),
      last_seen_at: dateTimeText(row.last_seen_at),
      expires_at: dateTimeText(row.expires_at),
    }], `sessions-${randomUUID()}`);
  }
}
