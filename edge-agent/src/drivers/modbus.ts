/**
 * Modbus TCP driver for gas transmitters (issue 5): polls each sensor's register every pollMs,
 * scales raw counts (rawMin..rawMax, e.g. 4-20 mA as 0/800..4000) to the measuring range, and
 * reads an optional fault register whose non-zero value is passed through as fault code
 * `modbus-<n>`. Register numbering follows the Modicon convention: 30001-39999 are input
 * registers (FC4), 40001-49999 holding registers (FC3); any other number is a zero-based holding
 * register address. A failed poll closes the socket and reconnects with capped backoff.
 */
import type { DriverConfig, SensorConfig } from '@gwanje/firmware-config';
import { FAULT_CODES } from '@gwanje/protocol';
import modbusSerial from 'modbus-serial';

// modbus-serial is CommonJS (`module.exports = ModbusRTU`); under NodeNext its typings surface
// the class one level down.
type ModbusClient = InstanceType<typeof modbusSerial.default>;
const ModbusRTU = modbusSerial as unknown as new () => ModbusClient;

import type { Logger } from 'pino';
import { scaleRaw } from '../normalize.js';
import type { DriverEvents, FieldDriver, ReadingSink } from './types.js';

type ModbusConfig = Extract<DriverConfig, { type: 'modbus-tcp' }>;

export interface RegisterRef {
  table: 'input' | 'holding';
  address: number;
}

/** Modicon register number -> function table and zero-based address (pure). */
export function registerRef(n: number): RegisterRef {
  if (n >= 30001 && n <= 39999) return { table: 'input', address: n - 30001 };
  if (n >= 40001 && n <= 49999) return { table: 'holding', address: n - 40001 };
  return { table: 'holding', address: n };
}

/**
 * Raw counts -> engineering value for `sensor` (pure). A count above span (above 20 mA) is
 * over-range, whatever its size (issue 15: gas transmitters signal "beyond range" there, and a
 * loop failing high must not read as a plausible value), reported with the scaled value so the
 * center sees how far; a count below 3.6 mA (NAMUR NE43: -2.5 % of span) is a dead loop,
 * under-range (for oxygen: below o2-low). Slightly below zero counts read as the range bottom.
 */
export function scaleSensor(sensor: SensorConfig, raw: number): { value: number; fault?: string } {
  const a = sensor.address ?? {};
  const rawMin = a.rawMin ?? 0;
  const rawMax = a.rawMax ?? 65535;
  const min = sensor.range?.min ?? 0;
  const max = sensor.range?.max ?? (sensor.unit === '%LEL' ? 100 : 1000);
  const value = scaleRaw(raw, rawMin, rawMax, min, max);
  const span = rawMax - rawMin;
  if (raw < rawMin - 0.025 * span) return { value: min, fault: FAULT_CODES.underRange };
  if (raw > rawMax) return { value: Math.round(value * 1e4) / 1e4, fault: FAULT_CODES.overRange };
  return { value: Math.max(min, value) };
}

export class ModbusTcpDriver implements FieldDriver {
  private client: ModbusClient = new ModbusRTU();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private failures = 0;

  constructor(
    private readonly cfg: ModbusConfig,
    private readonly sensors: SensorConfig[],
    private readonly sink: ReadingSink,
    private readonly deps: { log: Logger; now: () => number; events: DriverEvents },
  ) {}

  get id(): string {
    return this.cfg.id;
  }

  get connected(): boolean {
    return !this.stopped && this.failures === 0 && this.client.isOpen;
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.closeClient();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.cycle().catch((err: Error) => this.deps.log.error({ err: err.message }, 'modbus: cycle failed'));
    }, ms);
  }

  private async cycle(): Promise<void> {
    const started = this.deps.now();
    try {
      if (!this.client.isOpen) {
        await this.client.connectTCP(this.cfg.host, { port: this.cfg.port });
        this.client.setTimeout(this.cfg.timeoutMs ?? 2000);
        this.deps.log.info({ host: this.cfg.host, port: this.cfg.port }, 'modbus: connected');
      }
      for (const sensor of this.sensors) await this.pollSensor(sensor);
      this.failures = 0;
      this.schedule(Math.max(0, this.cfg.pollMs - (this.deps.now() - started)));
    } catch (err) {
      this.failures += 1;
      const backoff = Math.min(30_000, this.cfg.pollMs * 2 ** Math.min(this.failures, 6));
      if (this.failures === 1) {
        this.deps.events.error(this.cfg.id, `modbus: ${this.cfg.host}:${this.cfg.port}: ${(err as Error).message}`);
      }
      this.deps.log.warn({ err: (err as Error).message, retryMs: backoff }, 'modbus: poll failed');
      await this.closeClient();
      this.client = new ModbusRTU();
      this.schedule(backoff);
    }
  }

  private async pollSensor(sensor: SensorConfig): Promise<void> {
    const a = sensor.address;
    if (a?.register === undefined) return;
    this.client.setID(a.unitId ?? 1);
    const ref = registerRef(a.register);
    const res =
      ref.table === 'input'
        ? await this.client.readInputRegisters(ref.address, 1)
        : await this.client.readHoldingRegisters(ref.address, 1);
    const scaled = scaleSensor(sensor, res.data[0]);
    let fault = scaled.fault;
    if (a.faultRegister !== undefined) {
      const fref = registerRef(a.faultRegister);
      const f =
        fref.table === 'input'
          ? await this.client.readInputRegisters(fref.address, 1)
          : await this.client.readHoldingRegisters(fref.address, 1);
      if (f.data[0] !== 0) fault = `modbus-${f.data[0]}`;
    }
    try {
      this.sink(sensor, { value: scaled.value, ts: this.deps.now(), fault });
    } catch (err) {
      // Not a bus problem (the queue refused it): log it, keep the connection.
      this.deps.log.error({ sensorId: sensor.sensorId, err: (err as Error).message }, 'modbus: reading not accepted');
    }
  }

  private closeClient(): Promise<void> {
    if (!this.client.isOpen) return Promise.resolve();
    return new Promise((resolve) => this.client.close(() => resolve()));
  }
}
