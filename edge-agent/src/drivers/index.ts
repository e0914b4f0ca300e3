/** Builds the configured drivers; each sensor goes to `sensor.driver` or else the first driver. */
import type { AgentConfig, SensorConfig } from '@gwanje/firmware-config';
import type { Logger } from 'pino';
import { MqttFieldDriver } from './mqtt.js';
import { SimulatedDriver } from './simulated.js';
import type { AdoptSensor, DriverEvents, FieldDriver, ReadingSink } from './types.js';

export function sensorsOf(config: AgentConfig, driverId: string): SensorConfig[] {
  const first = config.drivers[0]?.id;
  return config.sensors.filter((s) => (s.driver ?? first) === driverId);
}

export async function createDrivers(
  config: AgentConfig,
  sink: ReadingSink,
  deps: { log: Logger; now: () => number; events: DriverEvents; adopt?: AdoptSensor },
): Promise<FieldDriver[]> {
  // modbus-serial is loaded only when a Modbus driver is configured (RSS on a Pi).
  const modbus = config.drivers.some((d) => d.type === 'modbus-tcp') ? await import('./modbus.js') : undefined;
  return config.drivers.map((d) => {
    const sensors = sensorsOf(config, d.id);
    const log = deps.log.child({ module: `driver-${d.id}` });
    switch (d.type) {
      case 'simulated':
        return new SimulatedDriver(d, sensors, sink, { log, now: deps.now });
      case 'mqtt':
        return new MqttFieldDriver(d, config.field.url, `${config.agentId}-${d.id}`, sensors, sink, {
          log,
          events: deps.events,
          adopt: deps.adopt && ((sensorId, desc) => deps.adopt?.(d.id, sensorId, desc)),
        });
      default:
        if (!modbus) throw new Error('drivers: modbus module not loaded');
        return new modbus.ModbusTcpDriver(d, sensors, sink, { log, now: deps.now, events: deps.events });
    }
  });
}
