/**
 * Downlink commands (CONTRACT `cmd` / `cmd/result`): publishes `{id, action, args}` on the
 * agent's `cmd` topic (QoS 1) and resolves with the matching `cmd/result`, or rejects on timeout.
 */
import { randomUUID } from 'node:crypto';
import { agentTopic, type CommandAction, type CommandResult, encode } from '@gwanje/protocol';
import type { PtzArgs } from '../http/deps.js';
import type { Logger } from '../logger.js';

/**
 * A command that did not reach an effect on the agent: `offline` (not sent: the agent is known to
 * be disconnected), `no-answer` (no `cmd/result` in time), `refused` (the agent answered not ok).
 * The API answers 503 (reason `agent-offline` / `agent-no-answer`) or 502, never 500.
 */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly kind: 'offline' | 'no-answer' | 'refused',
    readonly agentId: string,
    message: string,
  ) {
    super(message);
  }
}

export interface CommandPublisher {
  publish(topic: string, payload: Buffer, opts?: { retain?: boolean }): Promise<void>;
}

interface Pending {
  agentId: string;
  resolve(r: CommandResult): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class CommandChannel {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly mqtt: CommandPublisher,
    private readonly log: Logger,
    private readonly timeoutMs = 10_000,
  ) {}

  async send(
    siteId: string,
    agentId: string,
    action: CommandAction,
    args: Record<string, unknown>,
  ): Promise<CommandResult> {
    const id = randomUUID();
    const payload = encode(agentTopic(siteId, agentId, 'cmd'), { id, action, args });
    const result = new Promise<CommandResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new CommandError(
            'no-answer',
            agentId,
            `commands: ${action} to ${agentId} got no result in ${this.timeoutMs} ms`,
          ),
        );
      }, this.timeoutMs);
      this.pending.set(id, { agentId, resolve, reject, timer });
    });
    // stop() may reject it while the publish below still waits (agent offline, broker gone): the
    // caller gets the rejection when it awaits the result; until then it must not be unhandled.
    result.catch(() => undefined);
    try {
      await this.mqtt.publish(agentTopic(siteId, agentId, 'cmd'), payload);
    } catch (err) {
      const p = this.pending.get(id);
      if (p) {
        clearTimeout(p.timer);
        this.pending.delete(id);
      }
      throw err;
    }
    this.log.debug({ agentId, action, id }, 'commands: sent');
    return result;
  }

  /** Fire-and-forget form (stream.start/stop): the result is only logged. */
  post(siteId: string, agentId: string, action: CommandAction, args: Record<string, unknown>): void {
    this.send(siteId, agentId, action, args).then(
      (r) => {
        if (!r.ok) this.log.warn({ agentId, action, error: r.error }, 'commands: agent refused command');
      },
      (err: Error) => this.log.warn({ agentId, action, err: err.message }, 'commands: command failed'),
    );
  }

  /** Called by ingest for each decoded `cmd/result`; a result from another agent is ignored. */
  onResult(agentId: string, result: CommandResult): void {
    const p = this.pending.get(result.id);
    if (!p || p.agentId !== agentId) return;
    clearTimeout(p.timer);
    this.pending.delete(result.id);
    p.resolve(result);
  }

  /** CommandSender of the REST app: `ptz.*` on the owning agent. */
  async ptz(
    camera: { cameraId: string; siteId: string; agentId: string },
    args: PtzArgs,
    actor: string,
  ): Promise<unknown> {
    const { action, ...rest } = args;
    const r = await this.send(camera.siteId, camera.agentId, `ptz.${action}`, {
      cameraId: camera.cameraId,
      ...rest,
      actor,
    });
    if (!r.ok)
      throw new CommandError(
        'refused',
        camera.agentId,
        `commands: ptz.${action} failed on ${camera.agentId}: ${r.error ?? 'unknown error'}`,
      );
    return r.data ?? { ok: true };
  }

  /**
   * Config push (issue 10): the signed envelope as-is, QoS 1 and RETAINED on the agent's
   * `config` topic, so an agent that is offline now gets it on its next subscribe (MQTT 3.1.1
   * section 3.3.1.3). Encoded through protocol, so only a valid `SignedConfig` leaves the center.
   */
  async publishConfig(siteId: string, agentId: string, envelope: unknown): Promise<void> {
    const topic = agentTopic(siteId, agentId, 'config');
    await this.mqtt.publish(topic, encode(topic, envelope), { retain: true });
    this.log.info({ agentId, siteId }, 'commands: config published (retained)');
  }

  stop(): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error('commands: center stopping'));
      this.pending.delete(id);
    }
  }
}
