/**
 * Edge agent broker credentials (CONTRACT "POST /api/v1/agents", issue 9 "Devices"). The broker
 * username is the agentId; the password is generated, shown once and stored scrypt-hashed.
 * The broker calls `verifyBroker` on every CONNECT, and scrypt is deliberately slow, so a
 * successful check is cached briefly (positive only: a wrong password always pays the hash).
 * The same credentials authenticate the agent's video pushes (HTTP Basic).
 */
import { createHash } from 'node:crypto';
import { agentMayUse, ID_REGEX } from '@gwanje/protocol';
import type { Logger } from 'pino';
import type { AuditLog } from './audit.js';
import { AuthError } from './errors.js';
import { generatePassword, hashPassword, verifyPassword } from './password.js';
import type { AgentStore } from './ports.js';

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
}

interface CacheEntry extends AgentIdentity {
  expires: number;
}

export type RevokeListener = (agentId: string) => void;
/** Awaited before the password is returned, so the agent can connect at once (external broker). */
export type ProvisionHook = (agentId: string, siteId: string, password: string) => Promise<void>;

export class AgentCredentials {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly listeners: RevokeListener[] = [];
  private readonly provisionHooks: ProvisionHook[] = [];
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(private readonly opts: AgentCredentialsOptions) {
    this.now = opts.now ?? Date.now;
    this.log = opts.log.child({ module: 'agent-credentials' });
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
      revoked: false,
      createdAt: this.now(),
    });
    this.forget(agentId);
    for (const hook of this.provisionHooks) await hook(agentId, siteId, password);
    await this.opts.audit.record({ actor, ip, action: 'agent.provision', target: agentId, detail: { siteId } });
    this.log.info({ agentId, siteId }, 'agent-credentials: issued');
    return { agentId, siteId, password };
  }

  /** Revokes an agent's credentials; listeners (the broker) drop its live connections. */
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
    for (const l of this.listeners) {
      try {
        l(agentId);
      } catch (err) {
        this.log.error({ err: (err as Error).message, agentId }, 'agent-credentials: revoke listener failed');
      }
    }
    return true;
  }

  onRevoke(listener: RevokeListener): void {
    this.listeners.push(listener);
  }

  onProvision(hook: ProvisionHook): void {
    this.provisionHooks.push(hook);
  }

  /** Broker CONNECT (and video ingest Basic auth): the agent's identity, or null. */
  async verifyBroker(
    username: string | undefined,
    password: string | Uint8Array | undefined,
  ): Promise<AgentIdentity | null> {
    if (!username || password === undefined || !ID_REGEX.test(username)) return null;
    const pw = typeof password === 'string' ? password : Buffer.from(password).toString('utf8');
    if (pw.length === 0 || pw.length > 256) return null;
    const key = `${username}\0${createHash('sha256').update(pw).digest('base64url')}`;
    const t = this.now();
    const hit = this.cache.get(key);
    if (hit && hit.expires > t) return { agentId: hit.agentId, siteId: hit.siteId };
    if (hit) this.cache.delete(key);
    const row = await this.opts.agents.get(username);
    if (!row || row.revoked || !(await verifyPassword(pw, row.mqttPasswordHash))) return null;
    if (this.cache.size >= (this.opts.cacheMax ?? 1000)) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(key, { agentId: row.agentId, siteId: row.siteId, expires: t + (this.opts.cacheTtlMs ?? 60_000) });
    return { agentId: row.agentId, siteId: row.siteId };
  }

  /** Parses `Authorization: Basic base64(agentId:password)` (video ingest) and verifies it. */
  async verifyBasic(header: string | undefined): Promise<AgentIdentity | null> {
    if (!header || header.length > 1024) return null;
    const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header.trim());
    if (!m) return null;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i <= 0) return null;
    return this.verifyBroker(decoded.slice(0, i), decoded.slice(i + 1));
  }

  /** Topic ACL: only its own `gwanje/v1/{siteId}/{agentId}/` prefix, uplink out, downlink in. */
  mayUse(agentId: string, siteId: string, topic: string, op: 'publish' | 'subscribe'): boolean {
    return agentMayUse(siteId, agentId, topic, op);
  }

  private forget(agentId: string): void {
    for (const [k, v] of this.cache) if (v.agentId === agentId) this.cache.delete(k);
  }
}
