import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Storage } from '../storage/client.ts';
import { dateTimeText, sql } from '../storage/sql.ts';
import { atLeast, type Role } from './config.ts';
import { FreshCache } from './fresh-cache.ts';

export type TokenKind = 'personal' | 'display' | 'ingest';

/** A token as listed: never its secret. */
export interface TokenInfo {
  id: string;
  kind: TokenKind;
  name: string;
  owner: string;
  role: Role | '';
  createdAt: number;
  createdBy: string;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

/** What a valid token grants when it is used. */
export interface TokenGrant {
  id: string;
  kind: TokenKind;
  name: string;
  owner: string;
  /** personal: the lower of the token's role and its owner's role now. */
  role: Role | '';
}

const PREFIX: Record<TokenKind, string> = { personal: 'mimp', display: 'mimd', ingest: 'mimi' };
const KIND_OF = Object.fromEntries(Object.entries(PREFIX).map(([k, p]) => [p, k as TokenKind]));
const FORMAT = /^(mimp|mimd|mimi)_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{32,64})$/;
/** What an instance read of a token is used at most this long (a revocation reaches every instance within it). */
const CHECK_MS = 1000;
/** Tokens used within this long are kept fresh in the background; a wall or an agent uses its token every few seconds. */
const ACTIVE_MS = 15 * 60_000;
/** Last use is written at most this often per token. */
const TOUCH_MS = 60_000;

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** The kind a bearer value claims to be, from its prefix (cheap: no lookup). */
export function tokenKind(bearer: string): TokenKind | undefined {
  return KIND_OF[FORMAT.exec(bearer)?.[1] ?? ''];
}

/**
 * Tokens for programs, kept in ClickHouse (hashed, revocable, last use
 * recorded) so every instance honours the same ones. A check is cached for
 * at most a second; a personal token follows its owner: disabled or
 * deleted owner, no token; lower role, lower token.
 */
export class ApiTokens {
  private readonly cache: FreshCache<{ grant: TokenGrant; hash: string }>;
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly storage: Storage,
    private readonly now: () => number,
  ) {
    this.cache = new FreshCache({ maxAgeMs: CHECK_MS, activeMs: ACTIVE_MS, maxEntries: 100_000, loadMany: (ids) => this.loadMany(ids), now });
  }

  /** Keeps the tokens in use fresh in the background (stop() before the store closes). */
  start(): void {
    this.cache.start();
  }

  stop(): void {
    this.cache.stop();
  }

  /** Creates a token and returns it in full, the only time it is shown. */
  async create(kind: TokenKind, name: string, owner: string, role: Role | '', createdBy: string): Promise<{ token: string; info: TokenInfo }> {
    const id = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
    const secret = randomBytes(32).toString('base64url');
    const at = this.now();
    await this.storage.insertRows('api_tokens', [{ id, kind, name, owner, role, secret_hash: hashOf(secret), created_at: dateTimeText(at), created_by: createdBy }], `token-${randomUUID()}`);
    return { token: `${PREFIX[kind]}_${id}_${secret}`, info: { id, kind, name, owner, role, createdAt: at, createdBy, revokedAt: null, lastUsedAt: null } };
  }

  /** The grant of a bearer value, or undefined (unknown, revoked, wrong secret, or its owner may no longer act). */
  async check(bearer: string, address = ''): Promise<TokenGrant | undefined> {
    const parts = FORMAT.exec(bearer);
    if (!parts) return undefined;
    const [, prefix, id, secret] = parts;
    const at = this.now();
    const entry = await this.cache.get(id!);
    if (!entry || PREFIX[entry.grant.kind] !== prefix || !sameHash(entry.hash, hashOf(secret!))) return undefined;
    if (at - (this.touched.get(id!) ?? 0) >= TOUCH_MS) {
      this.touched.set(id!, at);
      // Off the request's path: last use is for people reviewing tokens, a minute late is fine.
      void this.storage.insertRows('token_uses', [{ id, last_used_at: dateTimeText(at), address }], `token-use-${randomUUID()}`).catch(() => undefined);
    }
    return entry.grant;
  }

  async list(filter: { owner?: string } = {}): Promise<TokenInfo[]> {
    const rows = await this.storage.query<{ id: string; kind: TokenKind; name: string; owner: string; role: Role | ''; created_at: number; created_by: string; revoked_at: number; last_used_at: number }>(sql`
      SELECT t.id AS id, kind, name, owner, role, toUnixTimestamp64Milli(created_at) AS created_at, created_by,
        toUnixTimestamp64Milli(r.at) AS revoked_at, toUnixTimestamp64Milli(u.last_used_at) AS last_used_at
      FROM api_tokens AS t FINAL
      LEFT JOIN (SELECT id, min(at) AS at FROM token_revocations GROUP BY id) AS r ON r.id = t.id
      LEFT JOIN (SELECT id, max(last_used_at) AS last_used_at FROM token_uses GROUP BY id) AS u ON u.id = t.id
      WHERE ${filter.owner === undefined ? sql`1` : sql`owner = ${filter.owner}`}
      ORDER BY created_at`);
    return rows.map((r) => ({
      id: r.id, kind: r.kind, name: r.name, owner: r.owner, role: r.role, createdAt: Number(r.created_at), createdBy: r.created_by,
      revokedAt: Number(r.revoked_at) > 0 ? Number(r.revoked_at) : null, lastUsedAt: Number(r.last_used_at) > 0 ? Number(r.last_used_at) : null,
    }));
  }

  async revoke(id: string, actor: string): Promise<void> {
    await this.storage.insertRows('token_revocations', [{ id, at: dateTimeText(this.now()), actor, reason: 'revoked' }], `token-revoke-${randomUUID()}`);
    this.cache.delete(id);
  }

  /** The usable tokens among `ids`: not revoked; a personal one's owner still enabled (its role capped by the owner's). */
  private async loadMany(ids: string[]): Promise<Map<string, { grant: TokenGrant; hash: string }>> {
    const rows = await this.storage.query<{ id: string; kind: TokenKind; name: string; owner: string; role: Role | ''; secret_hash: string; revoked: number; owner_role: string; owner_ok: number }>(sql`
      SELECT t.id AS id, kind, name, owner, t.role AS role, secret_hash, r.n AS revoked, u.role AS owner_role, (u.enabled AND NOT u.deleted) AS owner_ok
      FROM (SELECT * FROM api_tokens FINAL WHERE id IN ${ids}) AS t
      LEFT JOIN (SELECT * FROM users FINAL WHERE id IN (SELECT owner FROM api_tokens WHERE id IN ${ids})) AS u ON u.id = t.owner
      LEFT JOIN (SELECT id, count() AS n FROM token_revocations WHERE id IN ${ids} GROUP BY id) AS r ON r.id = t.id`);
    const found = new Map<string, { grant: TokenGrant; hash: string }>();
    for (const row of rows) {
      if (Number(row.revoked) > 0) continue;
      let role = row.role;
      if (row.kind === 'personal') {
        if (!Number(row.owner_ok)) continue;
        const ownerRole = row.owner_role as Role;
        if (role && !atLeast(ownerRole, role)) role = ownerRole;
      }
      found.set(row.id, { grant: { id: row.id, kind: row.kind, name: row.name, owner: row.owner, role }, hash: row.secret_hash });
    }
    return found;
  }
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && a.length > 0 && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
