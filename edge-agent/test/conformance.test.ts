/**
 * The agent's fail-safe against the protocol's gas-safety conformance table (issue 15): the same
 * cases the center's detection runs (detection/test/conformance.test.ts). Each raw
 * reading goes through the agent's own path, normalize -> LocalFailSafe.evaluate, as
 * EdgeAgent.accept does; a restart step starts a new fail-safe, as an agent restart does. The
 * siren output is checked too: switched on for every local trip.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SensorConfig } from '@gwanje/firmware-config';
import pino from 'pino';
import { type ConformanceCase, conformanceCases, type Expectation } from '../../protocol/test/conformance/table.js';
import { LocalFailSafe } from '../src/failsafe.js';
import { normalize } from '../src/normalize.js';

const T0 = 1_763_900_000_000;
const log = pino({ level: 'silent' });

function runEdge(c: ConformanceCase): Expectation & { sirenOn: number } {
  const sensor = {
    sensorId: 'conf-1',
    metric: c.sensor.metric,
    unit: c.sensor.unit,
    intervalMs: c.sensor.intervalMs,
    rules: c.rules,
    ...(c.sensor.gas ? { gas: c.sensor.gas } : {}),
    ...(c.sensor.range ? { range: c.sensor.range } : {}),
  } as SensorConfig;
  const raised = new Set<string>();
  let sirenOn = 0;
  const make = () =>
    new LocalFailSafe(
      { sensors: [sensor], outputs: [{ id: 'siren', type: 'mqtt', topic: 'relays/siren' }] },
      {
        log,
        publishOutput: (_topic, cmd) => {
          if (cmd.on) sirenOn += 1;
        },
        publishEvent: (ev) => {
          if (ev.state === 'active') raised.add(ev.alarm);
        },
      },
    );
  let fs = make();
  for (const s of c.steps) {
    const now = T0 + s.at;
    if (s.restart) {
      fs = make();
      continue;
    }
    const fault = s.fault ?? (s.quality === 'fault' ? 'quality-fault' : undefined);
    const ts = s.quality === 'stale' ? now - 10 * c.sensor.intervalMs : now;
    const reading = normalize(sensor, { value: s.value ?? 0, ts, ...(fault ? { fault } : {}) }, { now });
    fs.evaluate(reading, now);
  }
  const active = [...new Set(fs.active().map((a) => a.type))].sort();
  return { raised: [...raised].sort(), active, sirenOn };
}

describe('edge fail-safe x protocol conformance table (issue 15)', () => {
  for (const c of conformanceCases()) {
    it(c.name, () => {
      const got = runEdge(c);
      assert.deepEqual({ raised: got.raised, active: got.active }, c.edge);
      // The siren follows the local trips: on for each, never without one.
      if (c.edge.raised.length === 0) assert.equal(got.sirenOn, 0, 'no siren without a local trip');
      else assert.ok(got.sirenOn >= 1, 'the siren output was switched on');
    });
  }
});
