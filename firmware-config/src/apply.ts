/**
 * ConfigApplier: the agent-side decision on a config pushed to its retained `config` topic
 * (issue 10 "On the agent"). It verifies against the key pinned at provisioning, refuses
 * replays of older configs and versions that already failed, and keeps the last config that
 * started cleanly in `<dir>/lastGood.json` (itself a signed envelope, so it is re-verified at
 * boot and can be passed to the agent as `--config`). Starting drivers is the agent's job:
 * it calls decide() -> (apply) -> commit() on success or rollback() on failure.
 */
import type { KeyObject } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AgentStatus, parseJson, type SignedConfig } from '@gwanje/protocol';
import { type Change, diffConfigs } from './diff.js';
import type { AgentConfig } from './schema.js';
import { ConfigVerifyError, type VerifyReason, verifySignedConfig } from './sign.js';

export type ConfigStatus = NonNullable<AgentStatus['config']>;
export type RejectReason = VerifyReason | 'decode' | 'no-key' | 'stale' | 'failed-before';

export interface AppliedConfig {
  envelope: SignedConfig;
  document: AgentConfig;
}

export type ConfigDecision =
  | { action: 'apply'; envelope: SignedConfig; document: AgentConfig; changes: Change[]; sections: string[] }
  | { action: 'unchanged'; version: string }
  | { action: 'reject'; version?: string; reason: RejectReason; error: string };

/** pino-compatible subset, so the agent passes its module child logger. */
export interface ApplierLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ConfigApplierOptions {
  /** Where lastGood.json and failed.json live (e.g. `${dataDir}/config`). */
  dir: string;
  /** The center's public key pinned at provisioning; without it every pushed config is refused. */
  publicKey?: string | KeyObject;
  agentId: string;
  siteId: string;
  now?: () => number;
  log?: ApplierLog;
}

export const LAST_GOOD_FILE = 'lastGood.json';
export const FAILED_FILE = 'failed.json';
const MAX_FAILED = 32;

/** Top-level sections that differ: the agent restarts only what they name (e.g. `central` reconnects). */
export function changedSections(changes: Change[]): string[] {
  return [...new Set(changes.map((c) => c.path.split(/[.[]/)[0]))];
}

export class ConfigApplier {
  private good: AppliedConfig | undefined;
  private failed: Array<{ version: string; error: string; ts: number }> = [];
  private last: ConfigStatus | undefined;

  constructor(private readonly opts: ConfigApplierOptions) {}

  /** Loads (and re-verifies) lastGood.json; returns it, or undefined on a fresh agent. */
  async start(): Promise<AppliedConfig | undefined> {
    await mkdir(this.opts.dir, { recursive: true, mode: 0o700 });
    this.failed = await this.readFailed();
    const text = await this.readOptional(LAST_GOOD_FILE);
    if (text === undefined) return undefined;
    const d = this.verify(text);
    if (d.action !== 'apply') {
      // A lastGood that no longer verifies (edited on disk, key rotated) must not run.
      this.opts.log?.warn({ reason: d.action === 'reject' ? d.reason : d.action }, 'config: lastGood.json refused');
      return undefined;
    }
    this.good = { envelope: d.envelope, document: d.document };
    this.last = { version: d.envelope.version, outcome: 'applied' };
    return this.good;
  }

  current(): AppliedConfig | undefined {
    return this.good;
  }

  /** The `config` part of the agent's status payload: applied version and the last outcome. */
  status(): ConfigStatus | undefined {
    return this.last;
  }

  /** Decides on a payload from the `config` topic (bytes, text or parsed JSON). Pure apart from state reads. */
  decide(payload: unknown): ConfigDecision {
    const d = this.verify(payload);
    if (d.action !== 'apply') return this.noteReject(d);
    const cur = this.good?.envelope;
    if (cur && cur.version === d.envelope.version) return { action: 'unchanged', version: cur.version };
    if (cur && d.envelope.issuedAt < cur.issuedAt) {
      return this.noteReject({
        action: 'reject',
        version: d.envelope.version,
        reason: 'stale',
        error: `issued ${new Date(d.envelope.issuedAt).toISOString()}, before the applied ${cur.version}`,
      });
    }
    const failed = this.failed.find((f) => f.version === d.envelope.version);
    if (failed) {
      // The retained message comes back on every reconnect: do not retry a known-bad config.
      return this.noteReject({
        action: 'reject',
        version: failed.version,
        reason: 'failed-before',
        error: failed.error,
      });
    }
    this.last = { version: d.envelope.version, outcome: 'pending' };
    return d;
  }

  /** The new config runs (drivers started): it becomes the last good one, persisted atomically. */
  async commit(decision: Extract<ConfigDecision, { action: 'apply' }>): Promise<void> {
    await this.writeAtomic(LAST_GOOD_FILE, `${JSON.stringify(decision.envelope)}\n`);
    this.good = { envelope: decision.envelope, document: decision.document };
    this.last = { version: decision.envelope.version, outcome: 'applied' };
    this.opts.log?.info({ version: decision.envelope.version, sections: decision.sections }, 'config: applied');
  }

  /**
   * The new config failed to start: remember the version as bad and hand back the last good
   * config for the agent to restore (undefined when there is none: keep running what runs).
   */
  async rollback(version: string, error: string): Promise<AppliedConfig | undefined> {
    const ts = (this.opts.now ?? Date.now)();
    this.failed = [
      ...this.failed.filter((f) => f.version !== version),
      { version, error: error.slice(0, 512), ts },
    ].slice(-MAX_FAILED);
    await this.writeAtomic(FAILED_FILE, `${JSON.stringify(this.failed)}\n`);
    this.last = { version, outcome: 'rolled-back', error: error.slice(0, 1024) };
    this.opts.log?.warn({ version, restored: this.good?.envelope.version, error }, 'config: rolled back');
    return this.good;
  }

  private verify(payload: unknown): ConfigDecision {
    if (!this.opts.publicKey) {
      return {
        action: 'reject',
        reason: 'no-key',
        error: 'no config public key pinned: remote configuration disabled',
      };
    }
    let value = payload;
    if (typeof payload === 'string' || payload instanceof Uint8Array) {
      try {
        value = parseJson(payload, 4 * 1024 * 1024);
      } catch (err) {
        return { action: 'reject', reason: 'decode', error: (err as Error).message };
      }
    }
    const version = (value as { version?: unknown } | null)?.version;
    const v = typeof version === 'string' ? version.slice(0, 128) : undefined;
    try {
      const document = verifySignedConfig(value, this.opts.publicKey, {
        agentId: this.opts.agentId,
        siteId: this.opts.siteId,
      });
      const envelope = value as SignedConfig;
      const changes = diffConfigs(this.good?.envelope.document ?? {}, envelope.document).filter(
        (c) => c.path !== 'version',
      );
      return { action: 'apply', envelope, document, changes, sections: changedSections(changes) };
    } catch (err) {
      if (err instanceof ConfigVerifyError)
        return { action: 'reject', version: v, reason: err.reason, error: err.message };
      throw err;
    }
  }

  private noteReject(d: ConfigDecision): ConfigDecision {
    if (d.action === 'reject') {
      this.last = {
        version: d.version ?? 'unknown',
        outcome: 'rejected',
        error: `${d.reason}: ${d.error}`.slice(0, 1024),
      };
      this.opts.log?.warn({ version: d.version, reason: d.reason, error: d.error }, 'config: rejected');
    }
    return d;
  }

  private async readOptional(name: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.opts.dir, name), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`config: cannot read ${name}: ${(err as Error).message}`);
    }
  }

  private async readFailed(): Promise<Array<{ version: string; error: string; ts: number }>> {
    const text = await this.readOptional(FAILED_FILE);
    if (text === undefined) return [];
    try {
      const v = parseJson(text);
      return Array.isArray(v) ? v.filter((f) => typeof f?.version === 'string') : [];
    } catch (err) {
      this.opts.log?.warn({ error: (err as Error).message }, 'config: failed.json unreadable, starting empty');
      return [];
    }
  }

  /** Write-then-rename, so a power cut leaves either the old or the new file, never half of one. */
  private async writeAtomic(name: string, text: string): Promise<void> {
    const path = join(this.opts.dir, name);
    const tmp = `${path}.tmp`;
    await writeFile(tmp, text, { mode: 0o600 });
    await rename(tmp, path);
  }
}
