/**
 * Failed agent logins (security review F9): MQTT CONNECT and video-ingest Basic auth are reached
 * without any prior authentication, so their failures are counted per source address and per
 * agentId in fixed windows, and a failed (agentId, password) pair is remembered for a while so
 * the same wrong guess costs nothing the second time. Pure: the clock is injected, no I/O.
 */

export interface AgentLoginLimits {
  windowMs: number;
  /** Failures from one address within a window before the address is refused outright. */
  maxFailuresPerAddress: number;
  /** Failures naming one agentId within a window before its slow (scrypt) check is skipped. */
  maxFailuresPerAgent: number;
  /** How long a failed (agentId, password digest) pair is answered from memory. */
  failureCacheMs: number;
  /** Entries kept per map; the oldest go first (a flood of random keys cannot grow memory). */
  maxTracked: number;
}

export const DEFAULT_AGENT_LOGIN_LIMITS: AgentLoginLimits = {
  windowMs: 5 * 60_000,
  maxFailuresPerAddress: 30,
  maxFailuresPerAgent: 10,
  failureCacheMs: 5 * 60_000,
  maxTracked: 10_000,
};

interface Window {
  count: number;
  resetAt: number;
}

/** Insertion-ordered map with a size bound: the oldest entry leaves first. */
function boundedSet<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  if (map.size >= max) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}

export class AgentLoginThrottle {
  private readonly byAddress = new Map<string, Window>();
  private readonly byAgent = new Map<string, Window>();
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly limits: AgentLoginLimits,
    private readonly now: () => number,
  ) {}

  /** Too many failures from this address: refuse without looking at the credentials. */
  addressBlocked(address: string): boolean {
    return this.over(this.byAddress, address, this.limits.maxFailuresPerAddress);
  }

  /** Too many failures for this agentId: do not spend a slow hash on it now. */
  agentThrottled(agentId: string): boolean {
    return this.over(this.byAgent, agentId, this.limits.maxFailuresPerAgent);
  }

  /** This exact (agentId, password digest) failed recently. */
  knownFailure(key: string): boolean {
    const until = this.failures.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.failures.delete(key);
    return false;
  }

  failed(address: string, agentId: string, key: string): void {
    const t = this.now();
    this.bump(this.byAddress, address, t);
    this.bump(this.byAgent, agentId, t);
    boundedSet(this.failures, key, t + this.limits.failureCacheMs, this.limits.maxTracked);
  }

  /** New credentials for an agent: its old failures say nothing about them. */
  forgetAgent(agentId: string): void {
    this.byAgent.delete(agentId);
    const prefix = `${agentId}\0`;
    for (const k of this.failures.keys()) if (k.startsWith(prefix)) this.failures.delete(k);
  }

  private over(map: Map<string, Window>, key: string, max: number): boolean {
    const w = map.get(key);
    if (!w) return false;
    if (w.resetAt <= this.now()) {
      map.delete(key);
      return false;
    }
    return w.count >= max;
  }

  private bump(map: Map<string, Window>, key: string, t: number): void {
    const w = map.get(key);
    if (w && w.resetAt > t) w.count++;
    else boundedSet(map, key, { count: 1, resetAt: t + this.limits.windowMs }, this.limits.maxTracked);
  }
}
