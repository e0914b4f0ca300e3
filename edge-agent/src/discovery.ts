/**
 * SensorDiscovery (CONTRACT "Edge agent", issue 17): a field sensor nobody declared that
 * describes itself on `sensors/{sensorId}` (metric, gas, unit) is adopted and read like a declared
 * one, with the CONTRACT default rules of its metric, gas and unit (no range, no calibration until
 * an admin sets them). The agent reports it once as an `events` `sensor-discovered` (again only if
 * its description changes). Adopted sensors are kept in `dataDir/discovered.json`, so a restart
 * reads them at once and does not report them twice. Declared sensors are never touched here.
 * Bounded: a rogue device inventing ids cannot grow the agent past `max` adopted sensors.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SensorConfig } from '@gwanje/firmware-config';
import type { FieldReading } from '@gwanje/protocol';

export type SensorDescription = Pick<FieldReading, 'metric' | 'gas' | 'unit'>;

export interface Adoption {
  sensor: SensorConfig;
  /** The description is new or changed: report `sensor-discovered`. */
  changed: boolean;
}

const same = (a: SensorDescription, b: SensorDescription): boolean =>
  a.metric === b.metric && (a.gas ?? null) === (b.gas ?? null) && a.unit === b.unit;

/** The sensor config an adopted sensor is read with: its own description, defaults for the rest. */
export function adoptedConfig(sensorId: string, d: SensorDescription, driver: string): SensorConfig {
  return { sensorId, metric: d.metric, ...(d.gas ? { gas: d.gas } : {}), unit: d.unit, driver };
}

export class SensorDiscovery {
  private readonly file: string;
  private readonly adopted = new Map<string, SensorConfig>();
  /** Sensors refused because `max` was reached (counted, not kept). */
  refused = 0;

  constructor(
    private readonly dir: string,
    private readonly max = 1000,
  ) {
    this.file = join(dir, 'discovered.json');
  }

  /** Loads what earlier runs adopted; an unreadable file starts empty (they are re-adopted). */
  load(): string | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      return `discovery: cannot read ${this.file}: ${(err as Error).message}`;
    }
    try {
      const list = JSON.parse(text) as SensorConfig[];
      for (const s of Array.isArray(list) ? list : []) if (s?.sensorId) this.adopted.set(s.sensorId, s);
      return undefined;
    } catch (err) {
      return `discovery: ${this.file} is not JSON (${(err as Error).message}); starting empty`;
    }
  }

  list(): SensorConfig[] {
    return [...this.adopted.values()];
  }

  get(sensorId: string): SensorConfig | undefined {
    return this.adopted.get(sensorId);
  }

  /** Adopts (or re-describes) a sensor; undefined when the bound is reached. */
  adopt(sensorId: string, d: SensorDescription, driver: string): Adoption | undefined {
    const known = this.adopted.get(sensorId);
    if (known && same(known, d)) return { sensor: known, changed: false };
    if (!known && this.adopted.size >= this.max) {
      this.refused += 1;
      return undefined;
    }
    const sensor = adoptedConfig(sensorId, d, driver);
    this.adopted.set(sensorId, sensor);
    this.save();
    return { sensor, changed: true };
  }

  private save(): void {
    mkdirSync(this.dir, { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.list()));
    renameSync(tmp, this.file);
  }
}
