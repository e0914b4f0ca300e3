/**
 * User administration (admin role): create, change, delete, list, with the password policy and
 * the guard that the province never loses its last all-sites administrator. Every change is
 * audited; password changes end the user's other sessions.
 */
import { ID_REGEX, type Role, type UserView } from '@gwanje/protocol';
import type { AuditLog } from './audit.js';
import { AuthError } from './errors.js';
import { hashPassword, passwordProblem, verifyPassword } from './password.js';
import type { SessionStore, UserRow, UserStore } from './ports.js';

export const USERNAME_REGEX = /^[a-z0-9][a-z0-9._-]{1,63}$/;

export interface NewUser {
  username: string;
  password: string;
  role: Role;
  sites: string[];
  phone?: string | null;
  lang?: 'ko' | 'en';
}

export interface UserPatch {
  password?: string;
  role?: Role;
  sites?: string[];
  phone?: string | null;
  lang?: 'ko' | 'en';
}

export interface UserDetails extends UserView {
  phone: string | null;
  lang: 'ko' | 'en';
  locked: boolean;
  createdAt: number;
}

function checkSites(sites: string[]): void {
  if (sites.length === 0) throw new AuthError('bad-request', 'sites: must list at least one site or "*"');
  if (sites.includes('*') && sites.length > 1) throw new AuthError('bad-request', 'sites: "*" must stand alone');
  for (const s of sites)
    if (s !== '*' && !ID_REGEX.test(s)) throw new AuthError('bad-request', `sites: "${s}" is not a site id`);
}

function checkPassword(password: string, username: string): void {
  const problem = passwordProblem(password, username);
  if (problem) throw new AuthError('bad-request', `password: ${problem}`);
}

// `sites` comes decoded from the store: a corrupt row reads as [] and grants nothing rather than everything.
const isFullAdmin = (u: UserRow): boolean => u.role === 'admin' && u.sites.includes('*');

export class UserAdmin {
  constructor(
    private readonly users: UserStore,
    private readonly sessions: SessionStore,
    private readonly audit: AuditLog,
    private readonly now: () => number,
    /** Told when a user's existing sessions lose or change rights (live sockets must follow). */
    private readonly changed: (username: string) => void = () => {},
    /** Whether failed logins currently slow the user down from unknown addresses (auth/throttle.ts). */
    private readonly slowed: (username: string) => boolean = () => false,
  ) {}

  details(u: UserRow): UserDetails {
    return {
      username: u.username,
      role: u.role,
      sites: u.sites,
      phone: u.phone,
      lang: u.lang,
      // There are no hard locks (F11): "locked" means logins from unknown addresses are being delayed.
      locked: this.slowed(u.username),
      createdAt: u.createdAt,
    };
  }

  async list(): Promise<UserDetails[]> {
    return (await this.users.list()).map((u) => this.details(u));
  }

  async get(username: string): Promise<UserDetails | undefined> {
    const u = await this.users.get(username);
    return u ? this.details(u) : undefined;
  }

  async create(n: NewUser, actor: string, ip: string | null): Promise<UserDetails> {
    if (!USERNAME_REGEX.test(n.username)) {
      throw new AuthError('bad-request', 'username: must be 2-64 of a-z 0-9 . _ - starting with a letter or digit');
    }
    checkSites(n.sites);
    checkPassword(n.password, n.username);
    if (await this.users.get(n.username)) throw new AuthError('conflict', `users: ${n.username} already exists`);
    const row: UserRow = {
      username: n.username,
      passwordHash: await hashPassword(n.password),
      role: n.role,
      sites: n.sites,
      phone: n.phone ?? null,
      lang: n.lang ?? 'ko',
      failedLogins: 0,
      lockedUntil: null,
      tokensValidAfter: 0,
      createdAt: this.now(),
    };
    await this.users.create(row);
    await this.audit.record({
      actor,
      ip,
      action: 'user.create',
      target: n.username,
      detail: { role: n.role, sites: n.sites },
    });
    return this.details(row);
  }

  async update(username: string, patch: UserPatch, actor: string, ip: string | null): Promise<UserDetails> {
    const row = await this.users.get(username);
    if (!row) throw new AuthError('not-found', `users: ${username} not found`);
    const change: Partial<UserRow> = {};
    if (patch.sites !== undefined) {
      checkSites(patch.sites);
      change.sites = patch.sites;
    }
    if (patch.role !== undefined) change.role = patch.role;
    if (patch.phone !== undefined) change.phone = patch.phone;
    if (patch.lang !== undefined) change.lang = patch.lang;
    if (patch.password !== undefined) {
      checkPassword(patch.password, username);
      change.passwordHash = await hashPassword(patch.password);
      change.failedLogins = 0;
      change.lockedUntil = null;
      // A reset password must not leave an attacker's open sessions alive.
      change.tokensValidAfter = this.now();
    }
    const next = { ...row, ...change };
    if (isFullAdmin(row) && !isFullAdmin(next)) await this.keepOneAdmin(username);
    await this.users.update(username, change);
    if (change.tokensValidAfter !== undefined) await this.sessions.revokeAll(username, this.now());
    this.changed(username);
    const detail: Record<string, unknown> = { ...patch };
    if ('password' in detail) detail.password = '(changed)';
    await this.audit.record({ actor, ip, action: 'user.update', target: username, detail });
    return this.details(next);
  }

  async delete(username: string, actor: string, ip: string | null): Promise<void> {
    const row = await this.users.get(username);
    if (!row) throw new AuthError('not-found', `users: ${username} not found`);
    if (isFullAdmin(row)) await this.keepOneAdmin(username);
    await this.sessions.revokeAll(username, this.now());
    await this.users.delete(username);
    this.changed(username);
    await this.audit.record({ actor, ip, action: 'user.delete', target: username });
  }

  /** A user changing their own password proves the current one first; every session ends. */
  async changeOwnPassword(username: string, current: string, next: string, ip: string | null): Promise<void> {
    const row = await this.users.get(username);
    if (!row || !(await verifyPassword(current, row.passwordHash))) {
      throw new AuthError('forbidden', 'auth: current password is wrong');
    }
    checkPassword(next, username);
    await this.users.update(username, { passwordHash: await hashPassword(next) });
    // Whoever else holds a session with the old password loses it; the user logs in again.
    await this.endAllSessions(username);
    await this.audit.record({ actor: username, ip, action: 'password.change', target: username });
  }

  /** Logout everywhere: sessions issued before now stop verifying. */
  async endAllSessions(username: string): Promise<void> {
    const t = this.now();
    await this.users.update(username, { tokensValidAfter: t });
    await this.sessions.revokeAll(username, t);
    this.changed(username);
  }

  private async keepOneAdmin(username: string): Promise<void> {
    const others = (await this.users.list()).filter((u) => u.username !== username && isFullAdmin(u));
    if (others.length === 0) {
      throw new AuthError('conflict', 'users: this is the last administrator of all sites; create another first');
    }
  }
}
