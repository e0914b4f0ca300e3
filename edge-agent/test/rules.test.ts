import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SensorConfig } from '@gwanje/firmware-config';
import { localRule } from '../src/rules.js';

const s = (o: Partial<SensorConfig>): SensorConfig => ({ sensorId: 'x', metric: 'gas', unit: 'ppm', ...o });

test('local rules follow CONTRACT defaults', () => {
  assert.deepEqual(localRule(s({ gas: 'CH4', unit: '%LEL' })), { type: 'gas-high', setpoint: 25, deadband: 2.5 });
  assert.equal(localRule(s({ gas: 'CO' }))?.setpoint, 200, 'CO gas-high at the STEL');
  assert.equal(localRule(s({ gas: 'H2S' }))?.setpoint, 15, 'H2S gas-high at the STEL');
  assert.equal(localRule(s({ metric: 'flame', unit: 'bool' }))?.type, 'flame');
  assert.equal(localRule(s({ metric: 'temperature', unit: 'C' })), undefined);
  assert.equal(localRule(s({ gas: 'O2', unit: '%vol' })), undefined, 'O2 has no gas-high');
});

test('local rules honour overrides', () => {
  const r = localRule(s({ gas: 'CH4', unit: '%LEL', rules: [{ type: 'gas-high', setpoint: 20, deadband: 1 }] }));
  assert.deepEqual(r, { type: 'gas-high', setpoint: 20, deadband: 1 });
  assert.equal(localRule(s({ gas: 'CO', rules: [{ type: 'gas-high', enabled: false }] })), undefined);
});
