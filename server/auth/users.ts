import { randomUUID } from 'node:crypto';
import type { Storage } from '../storage/client.ts';
import { dateTimeText, sql } from '../storage/sql.ts';
import { serialQueue } from '../shared/serial.ts';
import type { Role } from './config.ts';

/** A personal account as stored (the password hash never leaves this folder). */
export interface User {
  id: string;
  displayName: string;
  familyName: string;
  givenName: string;
  familyKana: string;
  givenKana: string;
  email: string;
  language: 'ja' | 'en';
  role: Role;
  enabled: boolean;
  deleted: boolean;
  mustChangePassword: boolean;
  passwordHash: string;
  passwordSetAt: number;
  createdAt: number;
  /** 0 when never. */
  lastLoginAt: number;
}

/** Who made a change and in what capacity; recorded with every user event. */
export interface ChangeBy {
  name: string;
  role: string;
}

export type UserAction = 'created' | 'updated' | 'password_set' | 'password_reset' | 'disabled' | 'enabled' | 'deleted' | 'signed_in';

interface Row {
  id: string;
  display_name: string;
  family_name: string;
  given_name: string;
  family_kana: string;
  given_kana: string;
  email: string;
  language: string;
  role: string;
  enabled: boolean | number;
  deleted: boolean | number;
  must_change_password: boolean | number;
  password_hash: string;
  password_set_at: number;
  created_at: number;
  last_login_at: number;
}

/** An account's own fields under their stored (and shown) snake_case names: one list for the table row and the API's view. */
export const profileColumns = (user: User) => ({
  display_name: user.displayName,
  family_name: user.familyName,
  given_name: user.givenName,
  family_kana: user.familyKana,
  given_kana: user.givenKana,
  email: user.email,
  language: user.language,
  role: user.role,
  enabled: user.enabled,
  must_change_password: user.mustChangePassword,
});

const COLUMNS = sql`id, display_name, family_name, given_name, family_kana, given_kana, email, language, role, enabled, deleted, must_change_password, password_hash,
  toUnixTimestamp64Milli(password_set_at) AS password_set_at, toUnixTimestamp64Milli(created_at) AS created_at, toUnixTimestamp64Milli(last_login_at) AS last_login_at`;

const fromRow = (r: Row): User => ({
  id: r.id,
  displayName: r.display_name,
  familyName: r.family_name,
  givenName: r.given_name,
  familyKana: r.family_kana,
  givenKana: r.given_kana,
  email: r.email,
  language: r.language === 'en' ? 'en' : 'ja',
  role: r.role as Role,
  enabled: Boolean(r.enabled),
  deleted: Boolean(r.deleted),
  mustChangePassword: Boolean(r.must_change_password),
  passwordHash: r.password_hash,
  passwordSetAt: Number(r.password_set_at),
  createdAt: Number(r.created_at),
  lastLoginAt: Number(r.last_login_at),
});

/**
 * The accounts: each change writes the account's next version (users,
 * ReplacingMergeTree) and an event saying who did what (user_events, no
 * secrets). Reads go to ClickHouse, so every instance sharing the database
 * sees the same accounts.
 */
export class UserDirectory {
  private readonly serial = serialQueue();
  private lastVersion = 0;

  constructor(
    private readonly storage: Storage,
    private readonly now: () => number,
  ) {}

  async get(id: string): Promise<User | undefined> {
    const [row] = await this.storage.query<Row>(sql`SELECT ${COLUMNS} FROM users FINAL WHERE id = ${id}`);
    return row ? fromRow(row) : undefined;
  }

  async list(): Promise<User[]> {
    const rows = await this.storage.query<Row>(sql`SELECT ${COLUMNS} FROM users FINAL WHERE NOT deleted ORDER BY id`);
    return rows.map(fromRow);
  }

  /** Accounts that exist and are not deleted; 0 on a fresh install. */
  async count(): Promise<number> {
    const [row] = await this.storage.query<{ n: number }>(sql`SELECT count() AS n FROM users FINAL WHERE NOT deleted`);
    return Number(row?.n ?? 0);
  }

  /** Writes the account's next version and the event; `detail` names what changed, never a secret. */
  save(user: User, action: UserAction, by: ChangeBy, detail: Record<string, unknown> = {}): Promise<User> {
    return this.serial(async () => {
      const at = this.now();
      this.lastVersion = Math.max(at, this.lastVersion + 1);
      await this.storage.insertRows('users', [{
        id: user.id,
        version: this.lastVersion,
        ...profileColumns(user),
        deleted: user.deleted,
        password_hash: user.passwordHash,
        password_set_at: dateTimeText(user.passwordSetAt),
        created_at: dateTimeText(user.createdAt),
        last_login_at: dateTimeText(user.lastLoginAt),
      }], `users-${randomUUID()}`);
      await this.storage.insertRows('user_events', [{ at: dateTimeText(at), user_id: user.id, action, actor: by.name, actor_role: by.role, detail: JSON.stringify(detail) }], `user-events-${randomUUID()}`);
      return user;
    });
  }

  /** A deleted account keeps its id (never reused); its personal fields and hash are blanked and old versions merged away. */
  async remove(user: User, by: ChangeBy): Promise<void> {
    await this.save({ ...user, displayName: '', familyName: '', givenName: '', familyKana: '', givenKana: '', email: '', passwordHash: '', enabled: false, deleted: true }, 'deleted', by);
    await this.storage.command(sql`OPTIMIZE TABLE users FINAL`);
  }

  async events(userId: string): Promise<{ at: number; action: string; actor: string; detail: string }[]> {
    return this.storage.query(sql`SELECT toUnixTimestamp64Milli(at) AS at, action, actor, detail FROM user_events WHERE user_id = ${userId} ORDER BY at`);
  }
}
