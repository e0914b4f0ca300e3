import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SensorConfig } from '@gwanje/firmware-config';
import { faultReading, incidentLevel, initialState, mulberry32, step } from '../../src/sim/physics.js';
import { simulatedAgentConfig } from '../../src/sim/province.js';

const cfg = simulatedAgentConfig({
  siteId: 'suwon',
  agentId: 'suwon-sim',
  brokerUrl: 'mqtt://127.0.0.1:1883',
  username: 'suwon-sim',
  password: 'pw',
  videoUrl: 'http://127.0.0.1:8080',
  dataDir: '/tmp/x',
  incidentEverySec: 120,
  seed: 7,
});

test('simulatedAgentConfig names sensors and camera as BRIEF says', () => {
  assert.deepEqual(
    cfg.sensors.map((s) => s.sensorId),
    ['suwon-ch4-1', 'suwon-co-1', 'suwon-h2s-1', 'suwon-flame-1', 'suwon-temp-1'],
  );
  assert.deepEqual(cfg.drivers, [{ id: 'sim', type: 'simulated', periodMs: 2000, incidentEverySec: 120, seed: 7 }]);
  assert.deepEqual(cfg.cameras, [{ cameraId: 'suwon-cam-1', name: 'suwon virtual camera', testPattern: true }]);
  assert.ok(cfg.sensors.every((s) => s.cameras?.[0]?.cameraId === 'suwon-cam-1'));
});

function run(sensors: SensorConfig[], seconds: number, everySec: number, seed = 1) {
  const rng = mulberry32(seed);
  const t0 = 1_800_000_000_000;
  const st = initialState(sensors, t0, everySec, rng);
  const series = new Map<string, number[]>();
  for (let t = 0; t <= seconds; t += 2) {
    for (const { sensor, value } of step(sensors, st, t0 + t * 1000, everySec, rng)) {
      series.set(sensor.sensorId, [...(series.get(sensor.sensorId) ?? []), value]);
    }
  }
  return series;
}

test('quiet physics stay plausible: CH4 0-2 %LEL, CO a few ppm, H2S < 1 ppm, no flame, 15-25 C', () => {
  const s = run(cfg.sensors, 3600, 0);
  const within = (id: string, lo: number, hi: number) => {
    const v = s.get(id) ?? [];
    assert.ok(v.length > 1000);
    assert.ok(
      Math.min(...v) >= lo && Math.max(...v) <= hi,
      `${id} in [${lo}, ${hi}]: ${Math.min(...v)}..${Math.max(...v)}`,
    );
  };
  within('suwon-ch4-1', 0, 2.5);
  within('suwon-co-1', 0, 8);
  within('suwon-h2s-1', 0, 1);
  within('suwon-flame-1', 0, 0);
  within('suwon-temp-1', 14, 26);
});

test('incidents happen and cross the gas-high level or trip the flame detector', () => {
  const s = run(cfg.sensors, 4 * 3600, 300, 3);
  const ch4High = (s.get('suwon-ch4-1') ?? []).some((v) => v >= 25);
  const coHigh = (s.get('suwon-co-1') ?? []).some((v) => v >= 200);
  const h2sHigh = (s.get('suwon-h2s-1') ?? []).some((v) => v >= 15);
  const flame = (s.get('suwon-flame-1') ?? []).some((v) => v === 1);
  assert.ok([ch4High, coHigh, h2sHigh, flame].filter(Boolean).length >= 2, 'several incident kinds in 4 h');
});

test('a leak ramps up, holds and recedes to zero', () => {
  const inc = {
    kind: 'leak' as const,
    sensorId: 'x',
    start: 0,
    rampMs: 30_000,
    holdMs: 10_000,
    recedeMs: 30_000,
    peak: 40,
  };
  assert.equal(incidentLevel(inc, 15_000), 20);
  assert.equal(incidentLevel(inc, 35_000), 40);
  assert.equal(incidentLevel(inc, 55_000), 20);
  assert.equal(incidentLevel(inc, 80_000), 0);
});

test('transmitter faults (issue 22): drift creeps to its size, stuck holds, noise spreads; none outside the fault', () => {
  const rng = mulberry32(3);
  const t0 = 1_800_000_000_000;
  const drift = { kind: 'drift' as const, start: t0, durationMs: 60_000, size: 3 };
  assert.equal(faultReading(drift, t0 - 1, 0.8, rng), 0.8);
  assert.equal(faultReading(drift, t0 + 30_000, 0.8, rng), 2.3);
  assert.equal(faultReading(drift, t0 + 60_000, 0.8, rng), 0.8);
  const stuck = { kind: 'stuck' as const, start: t0, durationMs: 60_000, size: 0.93 };
  assert.deepEqual([faultReading(stuck, t0, 0.5, rng), faultReading(stuck, t0 + 59_999, 7, rng)], [0.93, 0.93]);
  const noise = { kind: 'noise' as const, start: t0, durationMs: 600_000, size: 1.5 };
  const v = Array.from({ length: 300 }, (_, i) => faultReading(noise, t0 + i * 2000, 5, rng));
  const sd = Math.sqrt(v.reduce((s, x) => s + (x - 5) ** 2, 0) / v.length);
  assert.ok(sd > 1.2 && sd < 1.8, `sd ${sd}`);
  assert.ok(
    v.every((x) => x >= 0 && Math.abs(Math.round(x * 100) - x * 100) < 1e-9),
    'two decimals, never negative',
  );
});
