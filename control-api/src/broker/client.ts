/**
 * The center's MQTT client: subscribes the agents' uplink topics and publishes downlink
 * commands. Against Mosquitto (GWANJE_MQTT_URL) it speaks MQTT 5 and uses shared subscriptions
 * (`$share/gwanje-api/...`, MQTT v5 spec 4.8.2) for telemetry, events and command results, so
 * several control-api processes can split the load. Retained status and camera inventories are
 * subscribed plainly: the spec does not send retained messages to shared subscriptions, and every
 * center needs the current agent states. aedes speaks MQTT 3.1.1 only: plain subscriptions there.
 */
import type { Duplex } from 'node:stream';
import { CENTER_UPLINK_FILTERS, redactUrl, sharedFilter } from '@gwanje/protocol';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../logger.js';

export const SHARE_GROUP = 'gwanje-api';
/** How long the broker keeps the center's session (and queued messages) while it is away. */
const SESSION_EXPIRY_S = 600;

export type MessageHandler = (topic: string, payload: Buffer) => void;

export interface CenterMqttOptions {
  url: string;
  username?: string;
  password?: string;
  /** 5 for Mosquitto (shared subscriptions), 4 for the embedded aedes broker. */
  protocolVersion: 4 | 5;
  /** Stable id: enables a persistent session. Unset: a random id and a clean session. */
  clientId?: string;
  log: Logger;
  onMessage: MessageHandler;
  /** What to subscribe (default `uplinkSubscriptions`); a cluster member takes command results only (issue 19). */
  filters?: string[];
  /** Reconnect backoff bounds (ms). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export function uplinkSubscriptions(shared: boolean): string[] {
  const f = CENTER_UPLINK_FILTERS;
  const share = (filter: string) => (shared ? sharedFilter(SHARE_GROUP, filter) : filter);
  return [share(f.telemetry), share(f.events), share(f.cmdResult), f.status, f.cameras, f.sensors];
}

/**
 * mqtt.js handles each received packet in its own tick and flushes each PUBACK with its own
 * write: one syscall per telemetry message, a tenth of the center's CPU at ingest rates (issue
 * 18 profile). Holding the socket corked while one received chunk is handled sends that chunk's
 * PUBACKs in one write, at most one event-loop turn later.
 */
export function batchAcks(stream: Duplex): void {
  if (typeof stream.cork !== 'function') return;
  let corked = false;
  stream.prependListener('data', () => {
    if (corked) return;
    corked = true;
    stream.cork();
    setImmediate(() => {
      corked = false;
      stream.uncork();
    });
  });
}

export class CenterMqttClient {
  private client?: MqttClient;
  private backoffMs: number;
  private connectedOnce = false;
  private onSubscribed?: () => void;

  constructor(private readonly opts: CenterMqttOptions) {
    this.backoffMs = opts.minBackoffMs ?? 500;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  async start(): Promise<void> {
    const { opts } = this;
    const min = opts.minBackoffMs ?? 500;
    const max = opts.maxBackoffMs ?? 15_000;
    const persistent = opts.clientId !== undefined;
    const options: IClientOptions = {
      protocolVersion: opts.protocolVersion,
      clientId: opts.clientId ?? `gwanje_api_${process.pid}_${Math.random().toString(36).slice(2, 8)}`,
      // Only when given: otherwise credentials in the URL (mqtt://user:pass@host) apply.
      ...(opts.username !== undefined ? { username: opts.username, password: opts.password } : {}),
      // A persistent session (MQTT 3.1.1 section 3.1.2.4; MQTT 5 Session Expiry, section 3.1.2.11.2):
      // if the link drops under a backlog or the center restarts, the broker keeps the QoS 1
      // messages queued for this client id and delivers them on reconnect instead of dropping them.
      clean: !persistent,
      reconnectPeriod: min,
      connectTimeout: 10_000,
      keepalive: 60,
      // QoS 1 inflight window from the broker: keep it wide for the ingest rate.
      // A random-id client must not leave a session behind: in a shared subscription group a dead
      // session would keep receiving its share of messages until it expires.
      properties:
        opts.protocolVersion === 5
          ? { receiveMaximum: 65535, sessionExpiryInterval: persistent ? SESSION_EXPIRY_S : 0 }
          : undefined,
    };
    const client = mqtt.connect(opts.url, options);
    this.client = client;
    client.on('message', (topic, payload) => opts.onMessage(topic, payload));
    // mqtt.js only counts acks and PINGRESP as signs of life; under a backlog the PINGRESP queues
    // behind megabytes of PUBLISH and the link is dropped as dead. Incoming PUBLISH packets prove
    // the broker alive (and our PUBACKs keep our side of MQTT 3.1.1 section 3.1.2.10 keep-alive).
    client.on('packetreceive', (packet) => {
      if (packet.cmd === 'publish') client.reschedulePing(true);
    });
    client.on('connect', () => {
      // Small alarm-bearing packets must not wait for Nagle/delayed ACK (up to 200 ms on Linux).
      const stream = client.stream as { setNoDelay?: (on: boolean) => void };
      stream.setNoDelay?.(true);
      batchAcks(client.stream as unknown as Duplex);
      this.backoffMs = min;
      client.options.reconnectPeriod = min;
      opts.log.info({ url: redactUrl(opts.url), reconnect: this.connectedOnce }, 'mqtt: connected');
      this.connectedOnce = true;
      const topics = opts.filters ?? uplinkSubscriptions(opts.protocolVersion === 5);
      client.subscribe(topics, { qos: 1 }, (err, granted) => {
        if (err) opts.log.error({ err: err.message }, 'mqtt: subscribe failed');
        const refused = (granted ?? []).filter((g) => g.qos >= 0x80).map((g) => g.topic);
        if (refused.length > 0) opts.log.error({ refused }, 'mqtt: subscriptions refused by the broker');
        this.onSubscribed?.();
      });
    });
    // Exponential backoff between reconnects (mqtt.js retries at a fixed reconnectPeriod).
    client.on('close', () => {
      client.options.reconnectPeriod = this.backoffMs;
      this.backoffMs = Math.min(max, this.backoffMs * 2);
    });
    client.on('offline', () => opts.log.warn('mqtt: broker unreachable, reconnecting'));
    client.on('error', (err) => opts.log.warn({ err: err.message }, 'mqtt: client error'));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`mqtt: could not connect to ${redactUrl(opts.url)} in 15 s`)),
        15_000,
      );
      // Ready only once subscribed: anything published before the SUBACK would not reach us.
      this.onSubscribed = () => {
        clearTimeout(timer);
        this.onSubscribed = undefined;
        resolve();
      };
    });
  }

  /** Publishes a downlink message (QoS 1). Resolves once the broker has it (PUBACK). */
  publish(topic: string, payload: Buffer | string, opts: { retain?: boolean } = {}): Promise<void> {
    const client = this.client;
    if (!client) return Promise.reject(new Error('mqtt: client not started'));
    return new Promise((resolve, reject) => {
      client.publish(topic, payload, { qos: 1, retain: opts.retain ?? false }, (err) =>
        err ? reject(new Error(`mqtt: publish to ${topic} failed: ${err.message}`)) : resolve(),
      );
    });
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync();
  }
}
