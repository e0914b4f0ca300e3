/**
 * CentralLink: the agent's MQTT session with the center (CONTRACT "edge agent <-> central
 * broker"). MQTT 3.1.1 (protocolVersion 4, understood by aedes and Mosquitto), stable clientId
 * and clean:false so QoS 1 commands queued during an outage are delivered (section 3.1.2.4),
 * retained `status` with the last will `offline` (section 3.1.2.5), TLS via mqtts:// and a CA
 * file, and reconnects with capped exponential backoff (1 s doubling to 30 s).
 */
import { readFileSync } from 'node:fs';
import {
  AGENT_TOPICS,
  type AgentStatus,
  type AgentTopicKind,
  agentTopic,
  type Command,
  DecodeError,
  decode,
  encode,
  type SignedConfig,
} from '@gwanje/protocol';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';

export interface CentralOptions {
  siteId: string;
  agentId: string;
  url: string;
  username: string;
  password: string;
  clientId?: string;
  caFile?: string;
  version: string;
}

export interface CentralHandlers {
  onConnect(): void;
  onDisconnect(): void;
  onCommand(cmd: Command): void;
  onConfig(cfg: SignedConfig): void;
}

export const BACKOFF_MIN_MS = 1000;
export const BACKOFF_MAX_MS = 30_000;

/** Capped exponential backoff (pure): attempt 0 -> 1 s, doubling, at most 30 s. */
export const backoffMs = (attempt: number): number => Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);

export class CentralLink {
  private client: MqttClient | undefined;
  private attempts = 0;
  rejected = 0;

  constructor(
    private readonly o: CentralOptions,
    private readonly h: CentralHandlers,
    private readonly deps: { log: Logger; now: () => number },
  ) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  topic(kind: AgentTopicKind): string {
    return agentTopic(this.o.siteId, this.o.agentId, kind);
  }

  start(statusOffline: AgentStatus): void {
    const opts: IClientOptions = {
      clientId: this.o.clientId ?? this.o.agentId,
      clean: false,
      protocolVersion: 4,
      // mqtt-packet otherwise builds a 65,536-entry Buffer cache of packet ids (~6 MB of heap) on
      // the first write; a Pi-class box cannot spare it (issue 5 footprint goal).
      writeCache: false,
      username: this.o.username,
      password: this.o.password,
      keepalive: 30,
      connectTimeout: 10_000,
      reconnectPeriod: BACKOFF_MIN_MS,
      will: { topic: this.topic('status'), payload: encode(this.topic('status'), statusOffline), qos: 1, retain: true },
    };
    if (this.o.caFile) opts.ca = readFileSync(this.o.caFile);
    const client = mqtt.connect(this.o.url, opts);
    this.client = client;
    client.on('connect', () => {
      this.attempts = 0;
      client.options.reconnectPeriod = BACKOFF_MIN_MS;
      this.deps.log.info({ url: this.o.url }, 'central: connected');
      client.subscribe({ [this.topic('cmd')]: { qos: 1 }, [this.topic('config')]: { qos: 1 } }, (err) => {
        if (err) this.deps.log.error({ err: err.message }, 'central: subscribe failed');
      });
      this.h.onConnect();
    });
    client.on('close', () => {
      client.options.reconnectPeriod = backoffMs(this.attempts);
      this.attempts += 1;
      this.h.onDisconnect();
    });
    client.on('error', (err) => this.deps.log.warn({ err: err.message }, 'central: connection error'));
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (payload.length === 0) return; // a cleared retained config
    let msg: ReturnType<typeof decode>;
    try {
      msg = decode(topic, payload);
    } catch (err) {
      this.rejected += 1;
      const reason = err instanceof DecodeError ? err.reason : 'error';
      this.deps.log.warn({ topic, reason, err: (err as Error).message }, 'central: message rejected');
      return;
    }
    if (msg.scope !== 'agent') return;
    if (msg.kind === 'cmd') this.h.onCommand(msg.payload);
    else if (msg.kind === 'config') this.h.onConfig(msg.payload);
  }

  /** Publishes a contract payload (validated by encode) at the topic's QoS and retain flag. */
  publish(kind: AgentTopicKind, payload: unknown, done?: (err?: Error) => void): void {
    const c = this.client;
    if (!c) {
      done?.(new Error('central: not started'));
      return;
    }
    const topic = this.topic(kind);
    let bytes: Buffer;
    try {
      bytes = encode(topic, payload);
    } catch (err) {
      this.deps.log.error({ topic, err: (err as Error).message }, 'central: refusing to publish an invalid payload');
      done?.(err as Error);
      return;
    }
    const retain = AGENT_TOPICS[kind].retain;
    c.publish(topic, bytes, { qos: 1, retain }, (err) => done?.(err ?? undefined));
  }

  async stop(statusOffline: AgentStatus): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    if (c.connected) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 2000);
        c.publish(this.topic('status'), encode(this.topic('status'), statusOffline), { qos: 1, retain: true }, () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    // A clean DISCONNECT (not force) so the broker discards the will (MQTT 3.1.1 section 3.14.4);
    // bounded so a dead link cannot hold the shutdown. With the link already down there is nobody
    // to tell: end at once (mqtt.js end() there can wait for a close that never comes, and an
    // unref'd bound then let the event loop run dry with stop() still pending).
    if (c.connected) await Promise.race([c.endAsync(false), new Promise<void>((r) => setTimeout(r, 2000))]);
    if (!c.disconnected) await c.endAsync(true);
  }
}
