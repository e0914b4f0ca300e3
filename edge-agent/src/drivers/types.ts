/**
 * The one interface every field driver implements (issue 5 "Drivers behind one interface"):
 * it reads its sensors and hands raw values to `sink`; normalization, the local fail-safe and
 * the queue are the agent's business. `sink` is synchronous and durable when it returns
 * (StoreAndForwardQueue.append), so a driver may acknowledge its source right after calling it.
 */
import type { SensorConfig } from '@gwanje/firmware-config';
import type { FieldReading } from '@gwanje/protocol';
import type { RawReading } from '../normalize.js';

export type ReadingSink = (sensor: SensorConfig, raw: RawReading) => void;

export interface DriverEvents {
  /** A driver-level problem worth an `events` driver-error (connection lost, poll failed). */
  error(sourceId: string, message: string): void;
}

export interface FieldDriver {
  readonly id: string;
  /** Whether the driver reaches its field source now (agent /healthz); absent: always. */
  readonly connected?: boolean;
  /** Field messages dropped, by reason (agent /metrics). */
  readonly rejected?: ReadonlyMap<string, number>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A field sensor that is not declared described itself (issue 17): returns the config to read it
 * with, or undefined to drop it (`--strict`, or the discovery bound reached). discovery.ts.
 */
export type AdoptSensor = (
  driverId: string,
  sensorId: string,
  description: Pick<FieldReading, 'metric' | 'gas' | 'unit'>,
) => SensorConfig | undefined;
