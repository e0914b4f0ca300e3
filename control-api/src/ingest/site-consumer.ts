/**
 * SiteConsumer (issue 19): the durable consumer of one site's uplink, held by the site's owner.
 *
 * One persistent MQTT session per site: client id `gwanje_site_<siteId>`, clean start off, a long
 * session expiry (MQTT 5 section 3.1.2.11.2), QoS 1 subscriptions to the site's telemetry, status,
 * events, cameras and sensor reports. While no instance holds the session (the owner was killed,
 * the next has not taken the lease yet) the broker queues the site's messages for it; the next
 * owner connects with the same client id and resumes them, unacknowledged ones first. The same
 * client id also fences at the broker: should two instances ever connect it, the broker keeps only
 * the newer (session takeover, MQTT 5 section 3.1.4).
 *
 * PUBACK after storage: mqtt.js acknowledges a QoS 1 message as soon as its handler returns, but
 * ingest writes readings to the time-series store in batches (up to 1 s). A message acknowledged
 * and then lost with a killed process would be lost for good. So acknowledgements are held and sent
 * (in order, MQTT 5 section 4.6) only after the instance's SiteIntake confirms that everything
 * handed to ingest before them is written; a message whose ack never left is redelivered to the
 * next owner, whose (agentId, seq) and per-sensor timestamp checks drop what was already stored.
 * mqtt.js offers no deferred ack without stalling its packet queue, so its `_sendPacket` is wrapped
 * for PUBACKs only. Messages go to the SiteIntake through `handleMessage` (site-intake.ts: one
 * queue for every site, drained in slices, with TCP backpressure per connection).
 *
 * The broker's in-flight window does not limit this session: it announces a Receive Maximum of
 * 65535 (MQTT 5 section 3.1.2.11.3), and Mosquitto 2.0 sends a v5 client up to its Receive Maximum
 * whatever `max_inflight_messages` says (checked with 2.0.11: 500 unacknowledged messages delivered
 * with the default of 20). Held acks therefore never stall delivery; `max_queued_messages` and
 * `max_queued_bytes` bound what the broker keeps while no owner reads a site.
 *
 * Why Mosquitto persistent sessions and not NATS JetStream: the agents and every deployed broker
 * (Mosquitto, EMQX, HiveMQ, VerneMQ) already speak MQTT; a persistent session per site needs no
 * second messaging system, keeps a site's messages in order, and the broker's dynamic security
 * still decides who may read what (the center's role covers `gwanje_site_*`).
 */
import { redactUrl, siteUplinkFilters } from '@gwanje/protocol';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../logger.js';
import type { SiteIntake } from './site-intake.js';

/** How long the broker keeps a site's session (and queues its messages) with no owner: a day. */
export const SITE_SESSION_EXPIRY_S = 86_400;

export const siteClientId = (siteId: string): string => `gwanje_site_${siteId}`;

export interface SiteConsumerOptions {
  url: string;
  username?: string;
  password?: string;
  siteId: string;
  log: Logger;
  /** The instance's one queue into ingest, which also releases the held acknowledgements. */
  intake: SiteIntake;
  /**
   * Asked before every reconnect: whether this instance still holds the site's lease. A consumer
   * whose lease went to another instance (it stalled past the TTL) must not take the session back:
   * the broker would hand it to whichever connected last, each kicking the other in turn.
   */
  mayResume(): Promise<boolean>;
}

interface Puback {
  cmd: 'puback';
  messageId: number;
}
type SendPacket = (packet: { cmd: string }, cb?: () => void, ...rest: unknown[]) => void;

export class SiteConsumer {
  private client?: MqttClient;
  private generation = 0;
  private stopping = false;

  constructor(private readonly o: SiteConsumerOptions) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Connects, resumes the site's session and resolves once its subscriptions are in place. */
  async start(): Promise<void> {
    const { o } = this;
    const options: IClientOptions = {
      protocolVersion: 5,
      clientId: siteClientId(o.siteId),
      ...(o.username !== undefined ? { username: o.username, password: o.password } : {}),
      clean: false,
      // Reconnects are ours (resume()), each after asking whether the lease is still ours.
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      keepalive: 30,
      properties: { receiveMaximum: 65535, sessionExpiryInterval: SITE_SESSION_EXPIRY_S },
    };
    const client = mqtt.connect(o.url, options);
    this.client = client;
    this.holdAcks(client);
    // The next message of this connection is taken once the intake has handled this one.
    client.handleMessage = (packet, done) =>
      o.intake.push(
        packet.topic,
        Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
        () => done(),
        packet.dup === true,
      );
    client.on('error', (err) => o.log.warn({ siteId: o.siteId, err: err.message }, 'site consumer: client error'));
    client.on('close', () => {
      if (!this.stopping) setTimeout(() => void this.resume(client), 500).unref();
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`site consumer: ${o.siteId}: could not subscribe at ${redactUrl(o.url)} in 15 s`)),
        15_000,
      );
      client.on('connect', (ack) => {
        this.generation++;
        (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
        o.log.info({ siteId: o.siteId, resumed: ack.sessionPresent }, 'site consumer: connected');
        client.subscribe(siteUplinkFilters(o.siteId), { qos: 1 }, (err, granted) => {
          const refused = (granted ?? []).filter((g) => g.qos >= 0x80).map((g) => g.topic);
          if (err || refused.length > 0) {
            o.log.error({ siteId: o.siteId, err: err?.message, refused }, 'site consumer: subscription refused');
            return;
          }
          clearTimeout(timer);
          resolve();
        });
      });
    });
  }

  /**
   * Sends the held acknowledgements once what they cover is stored, then leaves the session in
   * place on the broker (it keeps queueing for the next owner).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.o.intake.releaseAcks();
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync();
  }

  private async resume(client: MqttClient): Promise<void> {
    if (this.stopping || client !== this.client || client.connected) return;
    let mine: boolean;
    try {
      mine = await this.o.mayResume();
    } catch (err) {
      // The database did not answer: ask again shortly (the lease loop decides about the site).
      this.o.log.warn({ siteId: this.o.siteId, err: (err as Error).message }, 'site consumer: lease not checked');
      setTimeout(() => void this.resume(client), 1_000).unref();
      return;
    }
    if (!mine) {
      this.o.log.warn({ siteId: this.o.siteId }, 'site consumer: lease no longer ours; not resuming the session');
      return;
    }
    if (!this.stopping && client === this.client) client.reconnect();
  }

  /** Held acks are sent only on the connection that received their messages. */
  private holdAcks(client: MqttClient): void {
    const c = client as unknown as { _sendPacket: SendPacket };
    const send = c._sendPacket.bind(client) as SendPacket;
    c._sendPacket = (packet, cb, ...rest) => {
      if (packet.cmd !== 'puback') return send(packet, cb, ...rest);
      const generation = this.generation;
      this.o.intake.holdAck(() => {
        if (client === this.client && client.connected && generation === this.generation) send(packet as Puback);
      });
      cb?.(); // the packet queue moves on; the ack leaves later
    };
  }
}
