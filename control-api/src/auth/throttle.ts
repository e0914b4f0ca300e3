/**
 * Login throttling (issue 9 "People"): per user, N consecutive failures lock the account for
 * M minutes; per client address, too many failures in a window block further attempts from it,
 * whichever usernames it tries (credential stuffing). Pure: time comes from the injected clock.
 * Unknown usernames are tracked like real ones so a lockout reveals nothing about existence.
 */

export interface ThrottleOptions {
  /** Consecutive failures before a username is locked. */
  maxUserFailures: number;
  lockMs: number;
  /** Failures from one address within `ipWindowMs` before it is blocked. */
  maxIpFailures: number;
  ipWindowMs: number;
  /** Bound on tracked keys so a flood of random usernames cannot grow memory without limit. */
  maxKeys: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  maxUserFailures: 5,
  lockMs: 15 * 60_000,
  maxIpFailures: 30,
  ipWindowMs: 15 * 60_000,
  maxKeys: 50_000,
};

interface UserEntry {
  failures: number;
  lockedUntil: number;
  touched: number;
}

export type ThrottleVerdict = { ok: true } | { ok: false; reason: 'user-locked' | 'ip-blocked'; retryAfterMs: number };

export class LoginThrottle {
  private readonly users = new Map<string, UserEntry>();
  private readonly ips = new Map<string, number[]>();

  constructor(
    private readonly now: () => number,
    private readonly opts: ThrottleOptions = DEFAULT_THROTTLE,
  ) {}

  get options(): ThrottleOptions {
    return this.opts;
  }

  /** Whether an attempt may proceed (checked before the password is even hashed). */
  check(username: string, ip: string): ThrottleVerdict {
    const t = this.now();
    const recent = this.recentIpFailures(ip, t);
    if (recent.length >= this.opts.maxIpFailures) {
      return { ok: false, reason: 'ip-blocked', retryAfterMs: recent[0] + this.opts.ipWindowMs - t };
    }
    const u = this.users.get(username.toLowerCase());
    if (u && u.lockedUntil > t) return { ok: false, reason: 'user-locked', retryAfterMs: u.lockedUntil - t };
    return { ok: true };
  }

  /** Records a failure; returns the lock expiry when this failure locked the user. */
  failure(username: string, ip: string): { lockedUntil?: number; failures: number } {
    const t = this.now();
    this.prune(t);
    const list = this.recentIpFailures(ip, t);
    list.push(t);
    this.ips.set(ip, list);
    const key = username.toLowerCase();
    const u = this.users.get(key) ?? { failures: 0, lockedUntil: 0, touched: t };
    u.failures += 1;
    u.touched = t;
    let lockedUntil: number | undefined;
    if (u.failures >= this.opts.maxUserFailures) {
      u.lockedUntil = t + this.opts.lockMs;
      u.failures = 0;
      lockedUntil = u.lockedUntil;
    }
    this.users.set(key, u);
    return { lockedUntil, failures: u.failures };
  }

  success(username: string): void {
    this.users.delete(username.toLowerCase());
  }

  /** Restores a lock persisted on the user row (survives a restart). */
  restoreLock(username: string, lockedUntil: number): void {
    const key = username.toLowerCase();
    const u = this.users.get(key) ?? { failures: 0, lockedUntil: 0, touched: this.now() };
    u.lockedUntil = Math.max(u.lockedUntil, lockedUntil);
    this.users.set(key, u);
  }

  /** An administrator's unlock. */
  unlock(username: string): void {
    this.users.delete(username.toLowerCase());
  }

  private recentIpFailures(ip: string, t: number): number[] {
    const list = this.ips.get(ip);
    if (!list) return [];
    const from = t - this.opts.ipWindowMs;
    let i = 0;
    while (i < list.length && list[i] <= from) i++;
    return i === 0 ? list : list.slice(i);
  }

  private prune(t: number): void {
    if (this.users.size + this.ips.size < this.opts.maxKeys) return;
    for (const [k, u] of this.users) if (u.lockedUntil <= t && t - u.touched > this.opts.lockMs) this.users.delete(k);
    for (const [k, list] of this.ips) if (list[list.length - 1] <= t - this.opts.ipWindowMs) this.ips.delete(k);
    // Still full (an active flood): drop the oldest entries; Map iterates in insertion order.
    for (const k of this.users.keys()) {
      if (this.users.size < this.opts.maxKeys / 2) break;
      this.users.delete(k);
    }
  }
}
