/**
 * The simulated province's agent configuration (BRIEF "edge-agent"; issue 3): one agent per
 * site running real agent code against the central broker, five sensors and one virtual camera.
 */
import type { AgentConfig } from '@gwanje/firmware-config';
import { GASES } from '@gwanje/protocol';

// Gas names come from the one table (issue 15): no gas is spelled out here.
const { CH4, CO, H2S } = GASES;

export interface SimulatedAgentOptions {
  siteId: string;
  agentId: string;
  brokerUrl: string;
  username: string;
  password: string;
  videoUrl: string;
  dataDir: string;
  incidentEverySec: number;
  seed?: number;
  periodMs?: number;
}

/** A gas transmitter named after its gas, measuring 0..max in `unit`. */
const gasSensor = (sensorId: string, gas: string, unit: '%LEL' | 'ppm', max: number) => ({
  sensorId,
  name: gas,
  metric: 'gas',
  gas,
  unit,
  range: { min: 0, max },
});

export function simulatedAgentConfig(o: SimulatedAgentOptions): AgentConfig {
  const cam = `${o.siteId}-cam-1`;
  const cameras = [{ cameraId: cam }];
  const periodMs = o.periodMs ?? 2000;
  return {
    siteId: o.siteId,
    agentId: o.agentId,
    name: `${o.siteId} simulated agent`,
    central: { url: o.brokerUrl, username: o.username, password: o.password, videoUrl: o.videoUrl },
    // No field broker in the simulation: the simulated driver produces the readings itself.
    field: { url: o.brokerUrl },
    dataDir: o.dataDir,
    drivers: [
      {
        id: 'sim',
        type: 'simulated',
        periodMs,
        incidentEverySec: o.incidentEverySec,
        ...(o.seed === undefined ? {} : { seed: o.seed }),
      },
    ],
    sensors: [
      gasSensor(`${o.siteId}-ch4-1`, CH4.formula, '%LEL', 100),
      gasSensor(`${o.siteId}-co-1`, CO.formula, 'ppm', 1000),
      gasSensor(`${o.siteId}-h2s-1`, H2S.formula, 'ppm', 100),
      { sensorId: `${o.siteId}-flame-1`, name: 'Flame', metric: 'flame', unit: 'bool' },
      {
        sensorId: `${o.siteId}-temp-1`,
        name: 'Temperature',
        metric: 'temperature',
        unit: 'C',
        range: { min: -40, max: 85 },
      },
    ].map((s) => ({ ...s, intervalMs: periodMs, cameras })) as AgentConfig['sensors'],
    cameras: [{ cameraId: cam, name: `${o.siteId} virtual camera`, testPattern: true }],
    outputs: [],
    buffer: { maxBytes: 16 * 1024 * 1024, flushMs: 250, batchSize: 500 },
    logging: { level: 'warn' },
  };
}
