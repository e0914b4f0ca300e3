/**
 * AuthService: login with throttling and lockout, token issue/verify/revocation, logout and
 * logout-everywhere, and the first admin (issue 9 "People"). `verify` is the single gate used
 * by HTTP, Socket.IO and video; it re-reads role and sites so a change applies at once.
 */
import { randomUUID } from 'node:crypto';
import type { UserView } from '@gwanje/protocol';
import type { Logger } from 'pino';
import type { EventSink } from '../bus.js';
import type { AuditLog } from './audit.js';
import { AuthError } from './errors.js';
import { type MediaScope, readMediaTicket, signMediaTicket } from './media-tickets.js';
import { decoyHash, generatePassword, verifyPassword } from './password.js';
import { readPeerTicket, signPeerTicket } from './peer-tickets.js';
import { isRole, type Principal } from './permissions.js';
import type { AuthPorts, UserRow } from './ports.js';
import { DEFAULT_THROTTLE, LoginThrottle, type ThrottleOptions } from './throttle.js';
import { loadSigningKey, readToken, type SigningKey, signToken } from './tokens.js';
import { UserAdmin } from './users.js';

export interface AuthServiceOptions {
  ports: Pick<AuthPorts, 'users' | 'sessions' | 'settings'>;
  audit: AuditLog;
  log: Logger;
  now?: () => number;
  /** Token lifetime; 12 h covers a control-room shift. */
  tokenTtlMs?: number;
  throttle?: Partial<ThrottleOptions>;
  /** GWANJE_JWT_SECRET; unset: generated once and kept in `jwtKeyFile`, else in settings. */
  jwtSecret?: string;
  /** 0600 key file for the JWT secret (SQLite deployments: security review F17). */
  jwtKeyFile?: string;
  /** `sessions.changed` goes here (live sockets and video viewers re-check; bus.ts). */
  bus?: EventSink;
}

export interface LoginResult {
  token: string;
  user: UserView;
  expiresAt: number;
}

export const DEFAULT_TOKEN_TTL_MS = 12 * 60 * 60_000;
export const ADMIN_USERNAME = 'admin';

export const userView = (u: UserRow): UserView => ({
  username: u.username,
  role: u.role,
  sites: u.sites,
});

export class AuthService {
  readonly now: () => number;
  readonly users: UserAdmin;
  private readonly throttle: LoginThrottle;
  private readonly ttlMs: number;
  private readonly log: Logger;
  private key: SigningKey | undefined;
  private purgeTimer: NodeJS.Timeout | undefined;
  private readonly loginListeners: Array<(username: string) => void> = [];

  constructor(private readonly opts: AuthServiceOptions) {
    this.now = opts.now ?? Date.now;
    this.ttlMs = opts.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS;
    this.log = opts.log.child({ module: 'auth' });
    this.throttle = new LoginThrottle(this.now, { ...DEFAULT_THROTTLE, ...opts.throttle });
    this.users = new UserAdmin(
      opts.ports.users,
      opts.ports.sessions,
      opts.audit,
      this.now,
      (username) => this.notify({ username }),
      (username) => this.throttle.delayed(username),
    );
  }

  /** Told after every successful login (first-admin.ts forgets the generated password then). */
  onLogin(listener: (username: string) => void): void {
    this.loginListeners.push(listener);
  }

  /**
   * Tokens are checked when presented; long-lived connections (Socket.IO, video WebSockets)
   * listen for `sessions.changed` to drop or re-check a user's sockets on logout, revocation or a
   * rights change.
   */
  private notify(ev: { username: string; jti?: string }): void {
    this.opts.bus?.emit('sessions.changed', ev);
  }

  async start(): Promise<void> {
    this.key = await loadSigningKey({
      settings: this.opts.ports.settings,
      fromEnv: this.opts.jwtSecret,
      keyFile: this.opts.jwtKeyFile,
    });
    await this.purge();
    this.purgeTimer = setInterval(() => void this.purge(), 60 * 60_000);
    this.purgeTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    this.purgeTimer = undefined;
  }

  private signingKey(): SigningKey {
    if (!this.key) throw new Error('auth: AuthService.start() was not called');
    return this.key;
  }

  private async purge(): Promise<void> {
    try {
      await this.opts.ports.sessions.purgeExpired(this.now());
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'auth: purging expired sessions failed');
    }
  }

  /**
   * Creates `admin` when missing: with GWANJE_ADMIN_PASSWORD when given (it must pass the
   * policy), else with a generated password returned once for the caller to print. There is no
   * default password. An existing admin is left untouched. `generate` makes the password when
   * none is given (first-admin.ts stores it before the user exists, so it can never be lost).
   */
  async ensureAdmin(
    passwordFromEnv?: string,
    generate: () => string = generatePassword,
  ): Promise<{ created: boolean; password?: string }> {
    if (await this.opts.ports.users.get(ADMIN_USERNAME)) return { created: false };
    const fromEnv = passwordFromEnv !== undefined && passwordFromEnv !== '';
    const password = fromEnv ? passwordFromEnv : generate();
    try {
      await this.users.create({ username: ADMIN_USERNAME, password, role: 'admin', sites: ['*'] }, 'system', null);
    } catch (err) {
      if (err instanceof AuthError && fromEnv)
        throw new Error(`auth: GWANJE_ADMIN_PASSWORD is refused: ${err.message}`);
      throw err;
    }
    this.log.info(
      { username: ADMIN_USERNAME, source: fromEnv ? 'GWANJE_ADMIN_PASSWORD' : 'generated' },
      'auth: admin created',
    );
    return fromEnv ? { created: true } : { created: true, password };
  }

  async login(usernameIn: string, password: string, ip: string): Promise<LoginResult> {
    const username = usernameIn.trim().toLowerCase();
    const audit = this.opts.audit;
    await this.throttled(username, ip, 'login.blocked');
    const users = this.opts.ports.users;
    const row = await users.get(username);
    // Hash even for unknown users so response time does not reveal which usernames exist.
    const ok = await verifyPassword(password, row?.passwordHash ?? (await decoyHash()));
    if (!row || !ok || !isRole(row.role)) {
      const f = this.throttle.failure(username, ip);
      if (row) await users.update(username, { failedLogins: row.failedLogins + 1 });
      await audit.record({
        actor: username,
        ip,
        action: 'login.failure',
        detail: { known: Boolean(row), retryAfterS: Math.ceil(f.retryAfterMs / 1000) },
      });
      throw new AuthError('unauthorized', 'auth: wrong username or password');
    }
    this.throttle.success(username, ip);
    // A lock persisted by an older center is lifted by the right password: there are no hard locks.
    if (row.failedLogins !== 0 || row.lockedUntil !== null)
      await users.update(username, { failedLogins: 0, lockedUntil: null });
    const jti = randomUUID();
    const issuedAt = this.now();
    const expiresAt = issuedAt + this.ttlMs;
    await this.opts.ports.sessions.create({ jti, username, issuedAt, expiresAt, revokedAt: null });
    const token = await signToken(this.signingKey(), { username, jti, issuedAt, expiresAt });
    await audit.record({ actor: username, ip, action: 'login.success', target: jti });
    for (const l of this.loginListeners) {
      try {
        l(username);
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'auth: login listener failed');
      }
    }
    return { token, user: userView(row), expiresAt };
  }

  /**
   * `POST /me/password` (F15): the current password is checked under the same throttle as a
   * login, so a stolen token cannot be used to guess the password at scrypt cost to the center.
   */
  async changeOwnPassword(p: Principal, current: string, next: string, ip: string): Promise<void> {
    await this.throttled(p.username, ip, 'password.blocked');
    try {
      await this.users.changeOwnPassword(p.username, current, next, ip);
    } catch (err) {
      if (err instanceof AuthError && err.code === 'forbidden') {
        const f = this.throttle.failure(p.username, ip);
        await this.opts.audit.record({
          actor: p.username,
          ip,
          action: 'password.failure',
          detail: { retryAfterS: Math.ceil(f.retryAfterMs / 1000) },
        });
      }
      throw err;
    }
    this.throttle.success(p.username, ip);
  }

  /** 429 with Retry-After while the throttle holds this user and address back. */
  private async throttled(username: string, ip: string, action: 'login.blocked' | 'password.blocked'): Promise<void> {
    const verdict = this.throttle.check(username, ip);
    if (verdict.ok) return;
    const retryAfterS = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
    await this.opts.audit.record({ actor: username, ip, action, detail: { reason: verdict.reason, retryAfterS } });
    throw new AuthError(
      'too-many-attempts',
      verdict.reason === 'ip-blocked'
        ? `auth: too many failed logins from this address; retry in ${retryAfterS} s`
        : `auth: too many failed attempts for this user from this address; retry in ${retryAfterS} s`,
      retryAfterS,
    );
  }

  /** The one check for every authenticated call: signature, expiry, session, user, tokensValidAfter. */
  async verify(token: string): Promise<Principal> {
    const { username, jti } = await readToken(this.signingKey(), token, this.now());
    return this.verifySession(username, jti);
  }

  /**
   * The session half of `verify`: the session is live (not logged out, not expired, not older
   * than the user's tokensValidAfter) and the user still exists; role and sites as they are now.
   * Long-lived connections (video, Socket.IO) re-run it when sessions change.
   */
  async verifySession(username: string, jti: string): Promise<Principal> {
    const session = await this.opts.ports.sessions.get(jti);
    if (!session || session.username !== username || session.revokedAt !== null) {
      throw new AuthError('token-revoked', 'auth: session has ended, log in again');
    }
    if (session.expiresAt <= this.now()) throw new AuthError('token-expired', 'auth: token has expired, log in again');
    const user = await this.opts.ports.users.get(username);
    if (!user || !isRole(user.role) || session.issuedAt < user.tokensValidAfter) {
      throw new AuthError('token-revoked', 'auth: session has ended, log in again');
    }
    return { username, role: user.role, sites: user.sites, jti, expiresAt: session.expiresAt };
  }

  /** A 60 s ticket for one camera or clip, bound to the caller's session (media-tickets.ts). */
  mintMediaTicket(p: Principal, scope: MediaScope): Promise<{ ticket: string; expiresAt: number }> {
    return signMediaTicket(this.signingKey(), { username: p.username, sid: p.jti, scope }, this.now());
  }

  /** The principal behind a media ticket for `scope`, if its session is still live. */
  async verifyMediaTicket(ticket: string, scope: MediaScope): Promise<Principal> {
    const { username, sid } = await readMediaTicket(this.signingKey(), ticket, scope, this.now());
    return this.verifySession(username, sid);
  }

  /** Issue 19: a 60 s ticket with which this instance opens a camera's stream at its owner (peer-tickets.ts). */
  mintPeerTicket(instanceId: string, cameraId: string): Promise<string> {
    return signPeerTicket(this.signingKey(), { instanceId, cameraId }, this.now());
  }

  /** The instance behind a peer ticket for `cameraId` (throws AuthError otherwise). */
  verifyPeerTicket(ticket: string, cameraId: string): Promise<string> {
    return readPeerTicket(this.signingKey(), ticket, cameraId, this.now());
  }

  /** Ends this token's session. */
  async logout(p: Principal, ip: string | null): Promise<void> {
    await this.opts.ports.sessions.revoke(p.jti, this.now());
    this.notify({ username: p.username, jti: p.jti });
    await this.opts.audit.record({ actor: p.username, ip, action: 'logout', target: p.jti });
  }

  /** Ends every session of the user, on every device (tokensValidAfter + session rows). */
  async logoutAll(p: Principal, ip: string | null): Promise<void> {
    await this.users.endAllSessions(p.username);
    await this.opts.audit.record({ actor: p.username, ip, action: 'logout.all', target: p.username });
  }

  /** Clears a lockout (admin action, and after a password reset). */
  unlock(username: string): void {
    this.throttle.unlock(username);
  }
}
