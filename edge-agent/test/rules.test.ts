import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SensorConfig } from '@gwanje/firmware-config';
import { localRules } from '../src/rules.js';

const s = (o: Partial<SensorConfig>): SensorConfig => ({ sensorId: 'x', metric: 'gas', unit: 'ppm', ...o });
const brief = (c: SensorConfig) => localRules(c).map((r) => `${r.type} ${r.setpoint}/${r.deadband}`);

test('local rules follow CONTRACT defaults from the protocol table', () => {
  assert.deepEqual(brief(s({ gas: 'CH4', unit: '%LEL' })), ['gas-high 25/2']);
  assert.deepEqual(brief(s({ gas: 'CO' })), ['gas-high 200/20'], 'CO gas-high at the STEL');
  assert.deepEqual(brief(s({ gas: 'H2S' })), ['gas-high 15/1.5'], 'H2S gas-high at the STEL');
  assert.deepEqual(brief(s({ metric: 'flame', unit: 'bool' })), ['flame 1/0']);
  assert.deepEqual(brief(s({ metric: 'temperature', unit: 'C' })), []);
  assert.deepEqual(brief(s({ gas: 'O2', unit: '%vol' })), ['o2-low 19.5/0.3', 'o2-high 23.5/0.3']);
});

test('#15 the edge knows every gas the center knows, in any letter case (CL2, CO2, O3, benzene)', () => {
  assert.deepEqual(brief(s({ gas: 'CL2' })), ['gas-high 1/0.1']);
  assert.deepEqual(brief(s({ gas: 'CO2' })), ['gas-high 30000/3000']);
  assert.deepEqual(brief(s({ gas: 'O3' })), ['gas-high 0.2/0.02']);
  assert.deepEqual(brief(s({ gas: 'C6H6' })), ['gas-high 2.5/0.25']);
  assert.deepEqual(brief(s({ gas: 'XYZ' })), [], 'an unknown gas has no silent default');
});

test('local rules honour overrides', () => {
  assert.deepEqual(brief(s({ gas: 'CH4', unit: '%LEL', rules: [{ type: 'gas-high', setpoint: 20, deadband: 1 }] })), [
    'gas-high 20/1',
  ]);
  assert.deepEqual(brief(s({ gas: 'CO', rules: [{ type: 'gas-high', enabled: false }] })), []);
  assert.deepEqual(brief(s({ gas: 'XYZ', rules: [{ type: 'gas-high', setpoint: 50 }] })), ['gas-high 50/5']);
});
