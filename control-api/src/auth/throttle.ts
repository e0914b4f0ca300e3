/**
 * Login throttling that slows guessing without handing attackers a lockout (security review F11,
 * OWASP Authentication Cheat Sheet "Account lockout": prefer progressive delays to hard locks).
 * Pure: time comes from the injected clock.
 *
 * - Per (username, address): a few free failures, then each further attempt must wait a delay that
 *   doubles per failure (1 s, 2 s, 4 s ... capped). Only that pair slows down: the same user from
 *   any other client, and other users from that client, are untouched.
 * - Per username, over every address: past a larger number of failures, attempts from addresses
 *   that are not *known clients* of that user get the same progressive delay (a distributed guess
 *   on one account). An address where the user logged in successfully before is a known client and
 *   is never slowed by other addresses' failures: nobody can lock the legitimate user out of the
 *   console they use.
 * - Per address, over every username (credential stuffing): too many failures in a window block
 *   that address. Behind a reverse proxy this needs GWANJE_TRUST_PROXY, or every client shares
 *   the proxy's address.
 * Unknown usernames are tracked like real ones, so delays reveal nothing about existence.
 */

export interface ThrottleOptions {
  /** Failures of one username from one address before delays start. */
  freePairFailures: number;
  /** Failures of one username, over all addresses, before unknown addresses are delayed. */
  freeUserFailures: number;
  /** First delay; doubled per further failure up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures from one address within `ipWindowMs` before it is blocked, whatever usernames it tries. */
  maxIpFailures: number;
  ipWindowMs: number;
  /** A failure counter with no new failure for this long starts over. */
  forgetMs: number;
  /** How long a successful login keeps an address known for that user. */
  knownClientMs: number;
  /** Bound on tracked keys so a flood of random usernames cannot grow memory without limit. */
  maxKeys: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  freePairFailures: 3,
  freeUserFailures: 10,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60_000,
  maxIpFailures: 30,
  ipWindowMs: 15 * 60_000,
  forgetMs: 24 * 3600_000,
  knownClientMs: 30 * 24 * 3600_000,
  maxKeys: 50_000,
};

interface Counter {
  failures: number;
  /** The next attempt may run from here on. */
  nextAt: number;
  touched: number;
}

export type ThrottleVerdict = { ok: true } | { ok: false; reason: 'delayed' | 'ip-blocked'; retryAfterMs: number };

export class LoginThrottle {
  private readonly pairs = new Map<string, Counter>();
  private readonly users = new Map<string, Counter>();
  private readonly ips = new Map<string, number[]>();
  /** username -> address -> last successful login. */
  private readonly known = new Map<string, Map<string, number>>();

  constructor(
    private readonly now: () => number,
    private readonly opts: ThrottleOptions = DEFAULT_THROTTLE,
  ) {}

  get options(): ThrottleOptions {
    return this.opts;
  }

  /** Whether an attempt may proceed (checked before the password is even hashed). */
  check(usernameIn: string, ip: string): ThrottleVerdict {
    const t = this.now();
    const username = usernameIn.toLowerCase();
    const recent = this.recentIpFailures(ip, t);
    if (recent.length >= this.opts.maxIpFailures) {
      return { ok: false, reason: 'ip-blocked', retryAfterMs: recent[0] + this.opts.ipWindowMs - t };
    }
    const wait = Math.max(
      this.waitOf(this.pairs.get(pairKey(username, ip)), t),
      this.isKnown(username, ip, t) ? 0 : this.waitOf(this.users.get(username), t),
    );
    return wait > 0 ? { ok: false, reason: 'delayed', retryAfterMs: wait } : { ok: true };
  }

  /** Records a failure; returns the delay the next attempt of that user from that address must wait. */
  failure(usernameIn: string, ip: string): { retryAfterMs: number } {
    const t = this.now();
    const username = usernameIn.toLowerCase();
    this.prune(t);
    const list = this.recentIpFailures(ip, t);
    list.push(t);
    this.ips.set(ip, list);
    const pair = this.bump(this.pairs, pairKey(username, ip), this.opts.freePairFailures, t);
    this.bump(this.users, username, this.opts.freeUserFailures, t);
    return { retryAfterMs: Math.max(0, pair.nextAt - t) };
  }

  /** A correct password: the pair starts over and the address becomes a known client of the user. */
  success(usernameIn: string, ip: string): void {
    const username = usernameIn.toLowerCase();
    this.pairs.delete(pairKey(username, ip));
    const mine = this.known.get(username) ?? new Map<string, number>();
    mine.set(ip, this.now());
    this.known.set(username, mine);
  }

  /** An administrator's unlock (and a password reset): every delay on the user ends. */
  unlock(usernameIn: string): void {
    const username = usernameIn.toLowerCase();
    this.users.delete(username);
    for (const k of this.pairs.keys()) if (k.startsWith(`${username}\0`)) this.pairs.delete(k);
  }

  /** Whether the user is being slowed down from unknown addresses now (admin view). */
  delayed(usernameIn: string): boolean {
    return this.waitOf(this.users.get(usernameIn.toLowerCase()), this.now()) > 0;
  }

  private waitOf(c: Counter | undefined, t: number): number {
    if (!c || t - c.touched > this.opts.forgetMs) return 0;
    return Math.max(0, c.nextAt - t);
  }

  private bump(map: Map<string, Counter>, key: string, free: number, t: number): Counter {
    const old = map.get(key);
    const c = old && t - old.touched <= this.opts.forgetMs ? old : { failures: 0, nextAt: 0, touched: t };
    c.failures += 1;
    c.touched = t;
    const over = c.failures - free;
    if (over > 0) c.nextAt = t + Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** Math.min(over - 1, 30));
    map.set(key, c);
    return c;
  }

  private isKnown(username: string, ip: string, t: number): boolean {
    const at = this.known.get(username)?.get(ip);
    return at !== undefined && t - at <= this.opts.knownClientMs;
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
    const size = this.pairs.size + this.users.size + this.ips.size + this.known.size;
    if (size < this.opts.maxKeys) return;
    const stale = (c: Counter) => c.nextAt <= t && t - c.touched > this.opts.ipWindowMs;
    for (const [k, c] of this.pairs) if (stale(c)) this.pairs.delete(k);
    for (const [k, c] of this.users) if (stale(c)) this.users.delete(k);
    for (const [k, list] of this.ips) if (list[list.length - 1] <= t - this.opts.ipWindowMs) this.ips.delete(k);
    for (const [u, m] of this.known) {
      for (const [ip, at] of m) if (t - at > this.opts.knownClientMs) m.delete(ip);
      if (m.size === 0) this.known.delete(u);
    }
    // Still full (an active flood): drop the oldest entries; Map iterates in insertion order.
    for (const map of [this.pairs, this.users] as Map<string, Counter>[]) {
      for (const k of map.keys()) {
        if (map.size < this.opts.maxKeys / 4) break;
        map.delete(k);
      }
    }
  }
}

const pairKey = (username: string, ip: string): string => `${username}\0${ip}`;
