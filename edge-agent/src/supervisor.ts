/**
 * AgentSupervisor: one agent process with remote configuration (issue 10 "On the agent",
 * firmware-config ConfigApplier). Boots the last good signed config (or the --config file),
 * and on every `config` message asks the applier: an accepted config restarts the agent with
 * it and is committed once the new agent is up and has reached the center (so a config that
 * cuts the agent off is rolled back, never bricks it); otherwise the previous one is restored.
 * The outcome is reported in `status.config`.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type AgentConfig, ConfigApplier, loadConfigFile } from '@gwanje/firmware-config';
import type { SignedConfig } from '@gwanje/protocol';
import type { Logger } from 'pino';
import { EdgeAgent, type EdgeAgentOptions } from './agent.js';

export interface SupervisorOptions {
  log: Logger;
  /** How long a newly applied config has to reach the center before it is rolled back. */
  confirmMs?: number;
  /** Passed to every agent this supervisor runs (`--strict`, the ffmpeg binary). */
  agent?: Pick<EdgeAgentOptions, 'strict' | 'ffmpeg'>;
}

export class AgentSupervisor {
  private agent: EdgeAgent | undefined;
  private applier: ConfigApplier | undefined;
  private running: AgentConfig | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly opts: SupervisorOptions,
  ) {}

  get current(): EdgeAgent | undefined {
    return this.agent;
  }

  async start(): Promise<void> {
    const loaded = await loadConfigFile(this.file);
    const doc = loaded.document;
    const keyFile = doc.central.configPublicKeyFile;
    const publicKey = keyFile ? await readFile(resolve(dirname(this.file), keyFile), 'utf8') : undefined;
    this.applier = new ConfigApplier({
      dir: join(doc.dataDir, 'config'),
      publicKey,
      agentId: doc.agentId,
      siteId: doc.siteId,
      log: this.opts.log.child({ module: 'config' }),
    });
    const good = await this.applier.start();
    await this.run(good?.document ?? doc);
    if (!good && loaded.envelope) {
      // A provisioning bundle: record it as applied so the center's retained copy is `unchanged`.
      const d = this.applier.decide(loaded.envelope);
      if (d.action === 'apply') await this.applier.commit(d);
    }
  }

  async stop(): Promise<void> {
    await this.chain;
    await this.agent?.stop();
    this.agent = undefined;
  }

  private async run(doc: AgentConfig): Promise<void> {
    const agent = new EdgeAgent(doc, {
      ...this.opts.agent,
      log: this.opts.log,
      onConfig: (cfg) => {
        this.chain = this.chain
          .then(() => this.apply(cfg))
          .catch((err: Error) => {
            this.opts.log.error({ err: err.message }, 'supervisor: config handling failed');
          });
      },
      configStatus: () => this.applier?.status(),
    });
    this.agent = agent;
    this.running = doc;
    await agent.start();
  }

  private async apply(envelope: SignedConfig): Promise<void> {
    const applier = this.applier;
    if (!applier) return;
    const d = applier.decide(envelope);
    if (d.action !== 'apply') {
      if (d.action === 'reject') this.agent?.publishStatus();
      return;
    }
    const previous = this.running;
    await this.agent?.stop();
    try {
      await this.run(d.document);
      await this.confirmed();
      await applier.commit(d);
    } catch (err) {
      await this.agent?.stop();
      const back = await applier.rollback(d.envelope.version, (err as Error).message);
      const restore = back?.document ?? previous;
      if (restore) await this.run(restore);
    }
    this.agent?.publishStatus();
  }

  /** The new agent reached the central broker within confirmMs (real time). */
  private async confirmed(): Promise<void> {
    const deadline = Date.now() + (this.opts.confirmMs ?? 30_000);
    while (!this.agent?.centralConnected) {
      if (Date.now() > deadline) throw new Error('supervisor: the new config did not reach the center');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
