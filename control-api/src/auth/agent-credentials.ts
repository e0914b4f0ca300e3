/**
 * Edge agent broker credentials (CONTRACT "POST /api/v1/agents", issue 9 "Devices"). The broker
 * username is the agentId; the password is generated (192 random bits), shown once and stored
 * as a fast HMAC verifier beside a scrypt hash. The broker calls `verifyBroker` on every
 * CONNECT and the video ingest on every push, both reachable without prior authentication, so
 * (security review F9): a wrong password costs one HMAC, never a scrypt; failures are counted
 * per address and per agentId and a failed pair is answered from memory; credentials issued
 * before the fast verifier existed still pay scrypt, but at most two at a time and not for an
 * agentId under attack. A successful check is cached briefly.
 */
import { createHash } from 'node:crypto';
import { agentMayUse, ID_REGEX } from '@gwanje/protocol';
import type { Logger } from 'pino';
import type { EventSink } from '../bus.js';
import { type AgentLoginLimits, AgentLoginThrottle, DEFAULT_AGENT_LOGIN_LIMITS } from './agent-throttle.js';
import type { AuditLog } from './audit.js';
import { AuthError } from './errors.js';
import { generatePassword, hashPassword, machineSecretCheck, verifyMachineSecret, verifyPassword } from './password.js';
import type { AgentStore } from './ports.js';

/** Slow checks of old credentials at once, so a flood cannot take the whole thread pool. */
const MAX_CONCURRENT_SLOW_CHECKS = 2;
const MAX_QUEUED_SLOW_CHECKS = 64;

/**
 * agentIds reserved for the center's own identities: the embedded broker's service client id
 * (`gwanje_center`) is outside the id pattern, and `gwanje-` prefixes are kept free for the
 * center's clients on an external broker (security review F2: no agent may share an id with them).
 */
export const RESERVED_AGENT_PREFIX = 'gwanje-';

export interface AgentIdentity {
  agentId: string;
  siteId: string;
}

export interface AgentCredentialsOptions {
  agents: AgentStore;
  audit: AuditLog;
  log: Logger;
  now?: () => number;
  /** How long a verified password is trusted without re-hashing (default 60 s). */
  cacheTtlMs?: number;
  cacheMax?: number;
  /** Failure throttle (default DEFAULT_AGENT_LOGIN_LIMITS). */
  throttle?: Partial<AgentLoginLimits>;
  /** Counts a refused check by reason (gwanje_agent_login_refused_total). */
  onRefused?(reason: string): void;
  /** `agent.revoked` goes here (broker, ingest, video and dynsec drop the agent; bus.ts). */
  bus?: EventSink;
}

interface CacheEntry extends AgentIdentity {
  expires: number;
}

/** Awaited before the password is returned, so the agent can connect at once (external broker). */
export type ProvisionHook = (agentId: string, siteId: string, password: string) => Promise<void>;

export class AgentCredentials {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly provisionHooks: ProvisionHook[] = [];
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly throttle: AgentLoginThrottle;
  private slowChecks = 0;
  private readonly slowQueue: Array<() => void> = [];
  /** scrypt checks run since start (a wrong password must never add one, F9). */
  slowChecksRun = 0;

  constructor(private readonly opts: AgentCredentialsOptions) {
    this.now = opts.now ?? Date.now;
    this.log = opts.log.child({ module: 'agent-credentials' });
    this.throttle = new AgentLoginThrottle({ ...DEFAULT_AGENT_LOGIN_LIMITS, ...opts.throttle }, this.now);
  }

  /** Registers (or re-registers a revoked) agent; returns the plaintext password exactly once. */
  async provision(
    agentId: string,
    siteId: string,
    name?: string,
    actor = 'system',
    ip: string | null = null,
  ): Promise<AgentIdentity & { password: string }> {
    if (!ID_REGEX.test(agentId)) throw new AuthError('bad-request', 'agentId: must match ^[a-z0-9][a-z0-9-]{0,62}$');
    if (!ID_REGEX.test(siteId)) throw new AuthError('bad-request', 'siteId: must match ^[a-z0-9][a-z0-9-]{0,62}$');
    if (agentId.startsWith(RESERVED_AGENT_PREFIX))
      throw new AuthError('bad-request', `agentId: the prefix ${RESERVED_AGENT_PREFIX} is reserved for the center`);
    const existing = await this.opts.agents.get(agentId);
    if (existing && !existing.revoked) {
      throw new AuthError(
        'conflict',
        `agents: ${agentId} is already registered; revoke it first to issue new credentials`,
      );
    }
    if (existing && existing.siteId !== siteId) {
      throw new AuthError(
        'conflict',
        `agents: ${agentId} belongs to site ${existing.siteId}; use a new agentId for ${siteId}`,
      );
    }
    const password = generatePassword();
    await this.opts.agents.upsertCredentials({
      agentId,
      siteId,
      name: name ?? null,
      mqttPasswordHash: await hashPassword(password),
      mqttPasswordCheck: machineSecretCheck(password),
      revoked: false,
      createdAt: this.now(),
    });
    this.forget(agentId);
    this.throttle.forgetAgent(agentId);
    for (const hook of this.provisionHooks) await hook(agentId, siteId, password);
    await this.opts.audit.record({ actor, ip, action: 'agent.provision', target: agentId, detail: { siteId } });
    this.log.info({ agentId, siteId }, 'agent-credentials: issued');
    return { agentId, siteId, password };
  }

  /** Revokes an agent's credentials; `agent.revoked` listeners (the broker) drop its live connections. */
  async revoke(agentId: string, actor = 'system', ip: string | null = null): Promise<boolean> {
    const existing = await this.opts.agents.get(agentId);
    if (!existing || existing.revoked) return false;
    await this.opts.agents.revoke(agentId);
    this.forget(agentId);
    await this.opts.audit.record({
      actor,
      ip,
      action: 'agent.revoke',
      target: agentId,
      detail: { siteId: existing.siteId },
    });
    this.log.info({ agentId }, 'agent-credentials: revoked');
    this.opts.bus?.emit('agent.revoked', { agentId });
    return true;
  }

  onProvision(hook: ProvisionHook): void {
    this.provisionHooks.push(hook);
  }

  /**
   * Broker CONNECT (and video ingest Basic auth): the agent's identity, or null. `source` is the
   * client's address (per-address failure throttle).
   */
  async verifyBroker(
    username: string | undefined,
    password: string | Uint8Array | undefined,
    source = 'unknown',
  ): Promise<AgentIdentity | null> {
    if (!username || password === undefined || !ID_REGEX.test(username)) return null;
    const pw = typeof password === 'string' ? password : Buffer.from(password).toString('utf8');
    if (pw.length === 0 || pw.length > 256) return null;
    const key = `${username}\0${createHash('sha256').update(pw).digest('base64url')}`;
    const t = this.now();
    const hit = this.cache.get(key);
    if (hit && hit.expires > t) return { agentId: hit.agentId, siteId: hit.siteId };
    if (hit) this.cache.delete(key);
    if (this.throttle.knownFailure(key)) return this.refuse('cached-failure');
    if (this.throttle.addressBlocked(source)) return this.refuse('throttled-address', username, source);
    const row = await this.opts.agents.get(username);
    if (!row || row.revoked) return this.fail('unknown-agent', source, username, key);
    let ok: boolean;
    const check = row.mqttPasswordCheck ? verifyMachineSecret(pw, row.mqttPasswordCheck) : undefined;
    if (check !== undefined) ok = check;
    else {
      // Issued before the fast check existed: scrypt, rationed, and skipped for an agentId under attack.
      if (this.throttle.agentThrottled(username)) return this.refuse('throttled-agent', username, source);
      const slow = await this.slowCheck(() => verifyPassword(pw, row.mqttPasswordHash));
      if (slow === undefined) return this.refuse('busy', username, source);
      ok = slow;
      if (ok) this.backfillCheck(row.agentId, pw);
    }
    if (!ok) return this.fail('bad-password', source, username, key);
    if (this.cache.size >= (this.opts.cacheMax ?? 1000)) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(key, { agentId: row.agentId, siteId: row.siteId, expires: t + (this.opts.cacheTtlMs ?? 60_000) });
    return { agentId: row.agentId, siteId: row.siteId };
  }

  /** Parses `Authorization: Basic base64(agentId:password)` (video ingest) and verifies it. */
  async verifyBasic(header: string | undefined, source?: string): Promise<AgentIdentity | null> {
    if (!header || header.length > 1024) return null;
    const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header.trim());
    if (!m) return null;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i <= 0) return null;
    return this.verifyBroker(decoded.slice(0, i), decoded.slice(i + 1), source);
  }

  private fail(reason: string, source: string, agentId: string, key: string): null {
    this.throttle.failed(source, agentId, key);
    return this.refuse(reason, agentId, source);
  }

  private refuse(reason: string, agentId?: string, source?: string): null {
    this.opts.onRefused?.(reason);
    this.log.debug({ reason, agentId: agentId?.slice(0, 64), source }, 'agent-credentials: refused');
    return null;
  }

  /** Runs a scrypt check when a slot is free; undefined when too many already wait. */
  private async slowCheck(fn: () => Promise<boolean>): Promise<boolean | undefined> {
    if (this.slowChecks < MAX_CONCURRENT_SLOW_CHECKS) this.slowChecks++;
    else if (this.slowQueue.length >= MAX_QUEUED_SLOW_CHECKS) return undefined;
    // A finishing check hands its slot straight to the next waiter.
    else await new Promise<void>((resolve) => this.slowQueue.push(resolve));
    this.slowChecksRun++;
    try {
      return await fn();
    } finally {
      const next = this.slowQueue.shift();
      if (next) next();
      else this.slowChecks--;
    }
  }

  /** The old credentials verified: store their fast check so the next wrong guess is cheap. */
  private backfillCheck(agentId: string, password: string): void {
    this.opts.agents
      .setPasswordCheck?.(agentId, machineSecretCheck(password))
      .catch((err: Error) => this.log.error({ agentId, err: err.message }, 'agent-credentials: check not stored'));
  }

  /** Topic ACL: only its own `gwanje/v1/{siteId}/{agentId}/` prefix, uplink out, downlink in. */
  mayUse(agentId: string, siteId: string, topic: string, op: 'publish' | 'subscribe'): boolean {
    return agentMayUse(siteId, agentId, topic, op);
  }

  private forget(agentId: string): void {
    for (const [k, v] of this.cache) if (v.agentId === agentId) this.cache.delete(k);
  }
}
