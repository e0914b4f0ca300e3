/**
 * The simulator's gas sensors and their clean air (edge-agent/src/sim/physics.ts), for the anomaly
 * model's tests and bench/nab/gas.ts: the same configuration the simulated province runs.
 */
import type { SensorConfig } from '@gwanje/firmware-config';
import { initialState, mulberry32, step } from '../../../edge-agent/src/sim/physics.js';
import { simulatedAgentConfig } from '../../../edge-agent/src/sim/province.js';

const sensors = simulatedAgentConfig({
  siteId: 'suwon',
  agentId: 'suwon-sim',
  brokerUrl: 'mqtt://127.0.0.1:1',
  username: 'sim',
  password: 'sim',
  videoUrl: 'http://127.0.0.1:1',
  dataDir: '/tmp',
  incidentEverySec: 0,
}).sensors;

/** The simulated province's sensor of this gas (CH4 %LEL, CO ppm, H2S ppm). */
export function simulatedGasSensor(gas: string): SensorConfig {
  const s = sensors.find((c) => c.gas === gas);
  if (!s) throw new Error(`no simulated ${gas} sensor`);
  return s;
}

/** `n` readings of clean air 2 s apart from the simulator's physics (no incidents). */
export function cleanAir(gas: string, n: number, seed: number): number[] {
  const s = [simulatedGasSensor(gas)];
  const rng = mulberry32(seed);
  const st = initialState(s, 0, 0, rng);
  return Array.from({ length: n }, (_, i) => step(s, st, i * 2000, 0, rng)[0].value);
}
