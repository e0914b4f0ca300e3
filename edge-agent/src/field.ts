/**
 * FieldOutputs: the agent's own session on the field (local) broker for driving outputs such
 * as a siren/beacon relay (issue 5 "Local fail-safe"). It never depends on the WAN; QoS 1 so a
 * relay that reconnects still gets the command (mqtt.js queues while the socket is down).
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';

export class FieldOutputs {
  private client: MqttClient | undefined;

  constructor(
    private readonly url: string,
    private readonly clientId: string,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.client = mqtt.connect(this.url, {
      clientId: this.clientId,
      clean: true,
      protocolVersion: 4,
      writeCache: false, // no 65,536-Buffer packet-id cache (see central.ts)
      reconnectPeriod: 500,
      connectTimeout: 5000,
    });
    this.client.on('connect', () => this.log.info('field-outputs: connected'));
    this.client.on('error', (err) => this.log.warn({ err: err.message }, 'field-outputs: connection error'));
  }

  publish(topic: string, payload: unknown): void {
    if (!this.client) throw new Error('field-outputs: not started');
    this.client.publish(topic, JSON.stringify(payload), { qos: 1 }, (err) => {
      if (err) this.log.error({ topic, err: err.message }, 'field-outputs: publish failed');
    });
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await c.endAsync();
  }
}
