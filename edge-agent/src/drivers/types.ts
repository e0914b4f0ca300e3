/**
 * The one interface every field driver implements (issue 5 "Drivers behind one interface"):
 * it reads its sensors and hands raw values to `sink`; normalization, the local fail-safe and
 * the queue are the agent's business. `sink` is synchronous and durable when it returns
 * (StoreAndForwardQueue.append), so a driver may acknowledge its source right after calling it.
 */
import type { SensorConfig } from '@gwanje/firmware-config';
import type { RawReading } from '../normalize.js';

export type ReadingSink = (sensor: SensorConfig, raw: RawReading) => void;

export interface DriverEvents {
  /** A driver-level problem worth an `events` driver-error (connection lost, poll failed). */
  error(sourceId: string, message: string): void;
}

export interface FieldDriver {
  readonly id: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}
