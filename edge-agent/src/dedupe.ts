/**
 * Field-side duplicate filter. With QoS 1 (MQTT 3.1.1 section 4.3.2) a kill -9 between the
 * queue append and the PUBACK makes the field broker redeliver a reading the agent already
 * accepted. A device-stamped reading is identified by (sensorId, ts, value); the last `capacity`
 * keys are remembered, rebuilt from the queue's tail at start, so a redelivery is not queued twice.
 * Readings without a device timestamp get agent time and cannot be told apart; they pass.
 */
import type { Reading } from '@gwanje/protocol';

export const readingKey = (r: Pick<Reading, 'sensorId' | 'ts' | 'value'>): string => `${r.sensorId}|${r.ts}|${r.value}`;

export class RecentReadings {
  private readonly keys = new Set<string>();
  private readonly order: string[] = [];
  private head = 0;

  constructor(private readonly capacity = 8192) {}

  has(key: string): boolean {
    return this.keys.has(key);
  }

  add(key: string): void {
    if (this.keys.has(key)) return;
    this.keys.add(key);
    if (this.order.length < this.capacity) {
      this.order.push(key);
      return;
    }
    // Ring buffer: overwrite the oldest key.
    this.keys.delete(this.order[this.head]);
    this.order[this.head] = key;
    this.head = (this.head + 1) % this.capacity;
  }

  get size(): number {
    return this.keys.size;
  }
}
