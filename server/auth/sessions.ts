import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Storage } from '../storage/client.ts';
import { dateTimeText, sql, ts } from '../storage/sql.ts';
import type { Role } from './config.ts';

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

interface Cached {
  view: SessionView | undefined;
  checkedAt: number;
  lastSeen: number;
  storedLastSeen: number;
}

export interface SessionSettings {
  idleMs: number;
  absoluteMs: number;
}

/** A session is re-read from the database at most this often per instance: an ended one is out everywhere within it. */
export const SESSION_CHECK_MS = 1000;
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
 * instance sees the same ones. Each instance caches a session's validity
 * for at most one second, so a check costs a map lookup, and ending a
 * session (sign-out; a disabled, deleted or re-roled user) takes effect
 * everywhere within a second.
 */
export class SessionStore {
  private readonly cache = new Map<string, Cached>();
  private lastVersion = 0;

  constructor(
    private readonly storage: Storage,
    private readonly settings: SessionSettings,
    private readonly now: () => number,
  ) {}

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
    let entry = this.cache.get(id);
    if (!entry || at - entry.checkedAt >= SESSION_CHECK_MS) {
      const loaded = await this.load(id, at);
      entry = { view: loaded?.view, checkedAt: at, lastSeen: Math.max(entry?.lastSeen ?? 0, loaded?.lastSeen ?? 0), storedLastSeen: entry?.storedLastSeen ?? loaded?.lastSeen ?? 0 };
      this.cache.set(id, entry);
      if (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    }
    const view = entry.view;
    if (!view || at >= view.expiresAt || at - entry.lastSeen >= this.settings.idleMs) return undefined;
    entry.lastSeen = at;
    if (at - entry.storedLastSeen >= TOUCH_MS) {
      entry.storedLastSeen = at;
      await this.touch(id, at);
    }
    return view;
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
    for (const s of sessions) this.cache.delete(s.id);
  }

  private async touch(id: string, at: number): Promise<void> {
    const [row] = await this.storage.query<{ user_id: string; created_at: number; expires_at: number; address: string; user_agent: string }>(sql`
      SELECT user_id, toUnixTimestamp64Milli(created_at) AS created_at, toUnixTimestamp64Milli(expires_at) AS expires_at, address, user_agent FROM sessions FINAL WHERE id = ${id}`);
    if (row) await this.write({ ...row, id, created_at: Number(row.created_at), expires_at: Number(row.expires_at), last_seen_at: at });
  }

  private async load(id: string, at: number): Promise<{ view: SessionView; lastSeen: number } | undefined> {
    const [r] = await this.storage.query<LoadedRow>(sql`
      SELECT s.user_id AS user_id, toUnixTimestamp64Milli(s.created_at) AS created_at, toUnixTimestamp64Milli(s.last_seen_at) AS last_seen_at,
        toUnixTimestamp64Milli(s.expires_at) AS expires_at, (SELECT count() FROM session_ends WHERE id = ${id}) AS ended,
        u.role AS role, u.display_name AS display_name, u.language AS language, u.must_change_password AS must_change_password, u.enabled AS enabled, u.deleted AS deleted
      FROM (SELECT * FROM sessions FINAL WHERE id = ${id}) AS s
      INNER JOIN (SELECT * FROM users FINAL WHERE id IN (SELECT user_id FROM sessions WHERE id = ${id})) AS u ON u.id = s.user_id`);
    if (!r || Number(r.ended) > 0 || !r.enabled || r.deleted || Number(r.expires_at) <= at) return undefined;
    return {
      lastSeen: Number(r.last_seen_at),
      view: { id, userId: r.user_id, displayName: r.display_name, role: r.role as Role, language: r.language === 'en' ? 'en' : 'ja', mustChangePassword: Boolean(r.must_change_password), createdAt: Number(r.created_at), expiresAt: Number(r.expires_at) },
    };
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
