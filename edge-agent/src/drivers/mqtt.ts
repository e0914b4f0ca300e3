/**
 * MQTT field driver: subscribes `sensors/+` on the local broker (CONTRACT "field sensor -> edge
 * agent") with a persistent session (clean:false, stable clientId, QoS 1 subscription) so the
 * broker keeps what arrives while the agent restarts (MQTT 3.1.1 section 3.1.2.4). Each message
 * goes through protocol's `decode`; the PUBACK is sent only after the reading is in the queue
 * (mqtt.js `handleMessage` callback), so a kill -9 before that makes the broker redeliver.
 */
import type { DriverConfig, SensorConfig } from '@gwanje/firmware-config';
import { DecodeError, decode, type FieldReading } from '@gwanje/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { DriverEvents, FieldDriver, ReadingSink } from './types.js';

type MqttDriverConfig = Extract<DriverConfig, { type: 'mqtt' }>;

export class MqttFieldDriver implements FieldDriver {
  private client: MqttClient | undefined;
  private readonly byId = new Map<string, SensorConfig>();
  /** Field messages rejected by decode, by reason (logged, dropped). */
  readonly rejected = new Map<string, number>();

  constructor(
    private readonly cfg: MqttDriverConfig,
    private readonly fieldUrl: string,
    private readonly clientId: string,
    sensors: SensorConfig[],
    private readonly sink: ReadingSink,
    private readonly deps: {
      log: Logger;
      events: DriverEvents;
      /** Undeclared self-describing sensors (issue 17); absent, they are dropped as unknown-sensor. */
      adopt?: (sensorId: string, d: Pick<FieldReading, 'metric' | 'gas' | 'unit'>) => SensorConfig | undefined;
    },
  ) {
    for (const s of sensors) this.byId.set(s.sensorId, s);
  }

  get id(): string {
    return this.cfg.id;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  async start(): Promise<void> {
    const client = mqtt.connect(this.cfg.url ?? this.fieldUrl, {
      clientId: this.clientId,
      clean: false,
      protocolVersion: 4,
      writeCache: false, // no 65,536-Buffer packet-id cache (see central.ts)
      username: this.cfg.username,
      password: this.cfg.password,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
    });
    this.client = client;
    client.handleMessage = (packet, done) => {
      try {
        this.onMessage(packet.topic, packet.payload as Buffer);
      } catch (err) {
        // Not acknowledged: the broker redelivers it (the queue could not take it, e.g. disk full).
        this.deps.log.error({ err: (err as Error).message }, 'mqtt-field: reading not accepted');
        done(err as Error);
        return;
      }
      done();
    };
    client.on('connect', (ack) => {
      this.deps.log.info({ sessionPresent: ack.sessionPresent }, 'mqtt-field: connected');
      // Resubscribing is harmless with a present session and required without one.
      client.subscribe('sensors/+', { qos: 1 }, (err) => {
        if (err) this.deps.events.error(this.cfg.id, `mqtt-field: subscribe failed: ${err.message}`);
      });
    });
    client.on('error', (err) => this.deps.log.warn({ err: err.message }, 'mqtt-field: connection error'));
    client.on('offline', () => this.deps.events.error(this.cfg.id, 'mqtt-field: field broker unreachable'));
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    // mqtt.js end() on a link that is down can wait forever for a close that never comes
    // (the field broker went first): force it, and bound the polite DISCONNECT (as central.ts).
    if (!c.connected) {
      await c.endAsync(true);
      return;
    }
    await Promise.race([c.endAsync(false), new Promise<void>((r) => setTimeout(r, 2000))]);
    if (!c.disconnected) await c.endAsync(true);
  }

  private onMessage(topic: string, payload: Buffer): void {
    let msg: ReturnType<typeof decode>;
    try {
      msg = decode(topic, payload);
    } catch (err) {
      const reason = err instanceof DecodeError ? err.reason : 'error';
      this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
      this.deps.log.warn({ topic, reason, err: (err as Error).message }, 'mqtt-field: message rejected');
      return;
    }
    if (msg.scope !== 'field') return;
    const p = msg.payload;
    // Declared sensors keep their config; others are adopted from their own description.
    const sensor = this.byId.get(msg.sensorId) ?? this.deps.adopt?.(msg.sensorId, p);
    if (!sensor) {
      this.rejected.set('unknown-sensor', (this.rejected.get('unknown-sensor') ?? 0) + 1);
      this.deps.log.debug({ topic }, 'mqtt-field: reading from an unconfigured sensor dropped');
      return;
    }
    this.sink(sensor, { value: p.value, unit: p.unit, ts: p.ts, fault: p.fault });
  }
}
