/** Users, login sessions (JWT ids for revocation), the append-only audit trail, settings. */
import { Type } from '@sinclair/typebox';
import { type Kysely, type Selectable, sql } from 'kysely';
import { encodeJson, type StoredJson } from '../stored-json.js';
import type { Database, UsersTable } from '../tables.js';
import type { AuditQuery, AuditRow, SessionRow, UserRow } from '../types.js';

export const AUDIT_LIST_DEFAULT_LIMIT = 500;
export const AUDIT_LIST_MAX_LIMIT = 10_000;

const SiteGrants = Type.Array(Type.String());

export class UsersRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly json: StoredJson,
  ) {}

  /** `sites` decoded; a corrupt value grants nothing rather than everything (logged, counted). */
  private toUser(r: Selectable<UsersTable>): UserRow {
    const sites = this.json.decode(SiteGrants, r.sites, { table: 'users', column: 'sites', key: r.username });
    return { ...r, role: r.role as UserRow['role'], lang: r.lang as UserRow['lang'], sites: sites ?? [] };
  }

  async list(): Promise<UserRow[]> {
    return (await this.db.selectFrom('users').selectAll().orderBy('username').execute()).map((r) => this.toUser(r));
  }

  async get(username: string): Promise<UserRow | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return r ? this.toUser(r) : undefined;
  }

  /** false when the username is taken. */
  async create(u: UserRow): Promise<boolean> {
    const r = await this.db
      .insertInto('users')
      .values({ ...u, sites: JSON.stringify(u.sites) })
      .onConflict((oc) => oc.column('username').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async update(username: string, patch: Partial<Omit<UserRow, 'username' | 'createdAt'>>): Promise<boolean> {
    if (Object.keys(patch).length === 0) return (await this.get(username)) !== undefined;
    const { sites, ...rest } = patch;
    const set = sites === undefined ? rest : { ...rest, sites: encodeJson(sites) ?? '[]' };
    const r = await this.db.updateTable('users').set(set).where('username', '=', username).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async remove(username: string): Promise<boolean> {
    const r = await this.db.deleteFrom('users').where('username', '=', username).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

export class SessionsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async create(s: Omit<SessionRow, 'revokedAt'>): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({ ...s, revokedAt: null })
      .execute();
  }

  async get(jti: string): Promise<SessionRow | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('jti', '=', jti).executeTakeFirst();
  }

  /** Sessions of a user not revoked and not expired at `now`, newest first. */
  async listActive(username: string, now: number): Promise<SessionRow[]> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('username', '=', username)
      .where('revokedAt', 'is', null)
      .where('expiresAt', '>', now)
      .orderBy('issuedAt', 'desc')
      .execute();
  }

  /** Logout: false when unknown or already revoked (the first revocation time is kept). */
  async revoke(jti: string, at: number): Promise<boolean> {
    const r = await this.db
      .updateTable('sessions')
      .set({ revokedAt: at })
      .where('jti', '=', jti)
      .where('revokedAt', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Revokes every open session of a user (password change, lock-out); returns how many. */
  async revokeAllForUser(username: string, at: number): Promise<number> {
    const r = await this.db
      .updateTable('sessions')
      .set({ revokedAt: at })
      .where('username', '=', username)
      .where('revokedAt', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Deletes sessions that expired before `now` (they can no longer authenticate anyway). */
  async purgeExpired(now: number): Promise<number> {
    const r = await this.db.deleteFrom('sessions').where('expiresAt', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

/** Append-only: no update or delete method, and the database rejects both (migration 0001). */
export class AuditRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async append(e: Omit<AuditRow, 'id'>): Promise<number> {
    const r = await this.db
      .insertInto('audit')
      .values({
        ts: e.ts,
        actor: e.actor,
        ip: e.ip ?? null,
        action: e.action,
        target: e.target ?? null,
        detail: e.detail ?? null,
        siteId: e.siteId ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(r.id);
  }

  /** Newest first; `to` exclusive. */
  async list(q: AuditQuery = {}): Promise<AuditRow[]> {
    const limit = Math.min(Math.max(1, q.limit ?? AUDIT_LIST_DEFAULT_LIMIT), AUDIT_LIST_MAX_LIMIT);
    let s = this.db.selectFrom('audit').selectAll().orderBy('ts', 'desc').orderBy('id', 'desc').limit(limit);
    if (q.actor !== undefined) s = s.where('actor', '=', q.actor);
    if (q.action !== undefined) s = s.where('action', '=', q.action);
    if (q.actionPrefix !== undefined) {
      // Escape LIKE's wildcards: the prefix is matched literally.
      const lit = q.actionPrefix.replace(/[\\%_]/g, (c) => `\\${c}`);
      s = s.where(sql<boolean>`action like ${`${lit}%`} escape '\\'`);
    }
    const sites = q.siteIds;
    if (sites !== undefined && sites !== '*') {
      if (sites.length === 0) return [];
      s = s.where('siteId', 'in', sites);
    }
    if (q.from !== undefined) s = s.where('ts', '>=', q.from);
    if (q.to !== undefined) s = s.where('ts', '<', q.to);
    const { beforeTs, beforeId } = q;
    if (beforeTs !== undefined) {
      s = s.where((eb) =>
        eb.or([
          eb('ts', '<', beforeTs),
          ...(beforeId !== undefined ? [eb.and([eb('ts', '=', beforeTs), eb('id', '<', beforeId)])] : []),
        ]),
      );
    }
    return (await s.execute()).map((r) => ({ ...r, id: Number(r.id) }));
  }
}

export class SettingsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const r = await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return r?.value;
  }

  async set(key: string, value: string): Promise<void> {
    const updatedAt = this.now();
    await this.db
      .insertInto('settings')
      .values({ key, value, updatedAt })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, updatedAt }))
      .execute();
  }

  /** JSON convenience: undefined when absent. */
  async getJson<T>(key: string): Promise<T | undefined> {
    const v = await this.get(key);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  }

  async setJson(key: string, value: unknown): Promise<void> {
    await this.set(key, JSON.stringify(value));
  }

  async all(): Promise<Record<string, string>> {
    const rows = await this.db.selectFrom('settings').select(['key', 'value']).orderBy('key').execute();
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  async remove(key: string): Promise<boolean> {
    const r = await this.db.deleteFrom('settings').where('key', '=', key).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
