import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SensorConfig } from '@gwanje/firmware-config';
import { convertUnit, normalize, type RawReading } from '../src/normalize.js';

const NOW = 1_800_000_000_000;
const ch4: SensorConfig = { sensorId: 's-ch4', metric: 'gas', gas: 'CH4', unit: '%LEL', range: { min: 0, max: 100 } };
const co: SensorConfig = { sensorId: 's-co', metric: 'gas', gas: 'CO', unit: 'ppm', intervalMs: 1000 };
const flame: SensorConfig = { sensorId: 's-fl', metric: 'flame', unit: 'bool' };
const cal: SensorConfig = { ...ch4, sensorId: 's-cal', calibration: { zero: 2, span: 1.25 } };

const cases: Array<[string, SensorConfig, RawReading, Partial<ReturnType<typeof normalize>>]> = [
  [
    'plain %LEL reading passes through',
    ch4,
    { value: 12.5, ts: NOW - 10 },
    { value: 12.5, quality: 'good', ts: NOW - 10 },
  ],
  ['%vol converted to %LEL (CH4 LEL 4.4 %vol)', ch4, { value: 2.2, unit: '%vol' }, { value: 50, quality: 'good' }],
  ['ppm converted to %LEL', ch4, { value: 4400, unit: 'ppm' }, { value: 10 }],
  ['zero/span calibration: (raw - zero) * span', cal, { value: 22 }, { value: 25 }],
  ['missing ts gets agent time', co, { value: 3 }, { ts: NOW, quality: 'good' }],
  ['ts older than 3 intervals is stale', co, { value: 3, ts: NOW - 3001 }, { quality: 'stale' }],
  ['ts 3 intervals old is still good', co, { value: 3, ts: NOW - 3000 }, { quality: 'good' }],
  ['ts far in the future is re-stamped', co, { value: 3, ts: NOW + 3_600_000 }, { ts: NOW }],
  [
    'detector fault code passes through as quality fault',
    co,
    { value: 0, fault: 'E42' },
    { quality: 'fault', fault: 'E42' },
  ],
  ['beyond 110 % of range is over-range', ch4, { value: 111 }, { quality: 'fault', fault: 'over-range' }],
  [
    '#15 any value beyond the range is over-range, value kept (150 %LEL on 0-100)',
    ch4,
    { value: 150 },
    { quality: 'fault', fault: 'over-range', value: 150 },
  ],
  ['#15 just above full scale is over-range', ch4, { value: 100.5 }, { quality: 'fault', fault: 'over-range' }],
  ['at full scale is good', ch4, { value: 100 }, { quality: 'good' }],
  ['below -10 % of range is under-range', ch4, { value: -11 }, { quality: 'fault', fault: 'under-range' }],
  ['flame bool: 1 stays 1', flame, { value: 1 }, { value: 1, unit: 'bool' }],
  ['flame bool: 0.2 is 0', flame, { value: 0.2 }, { value: 0 }],
  ['an inconvertible unit is a fault', co, { value: 1, unit: 'C' }, { quality: 'fault', fault: 'unit-C' }],
];

for (const [name, sensor, raw, want] of cases) {
  test(`normalize: ${name}`, () => {
    const got = normalize(sensor, raw, { now: NOW });
    assert.equal(got.sensorId, sensor.sensorId);
    assert.equal(got.metric, sensor.metric);
    assert.equal(got.unit, sensor.unit);
    for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k as keyof typeof got], v, k);
  });
}

test('normalize: gas formula is carried, absent for non-gas metrics', () => {
  assert.equal(normalize(co, { value: 1 }, { now: NOW }).gas, 'CO');
  assert.equal('gas' in normalize(flame, { value: 1 }, { now: NOW }), false);
});

test('convertUnit round trips and refuses what it cannot know', () => {
  assert.equal(convertUnit(1, '%vol', 'ppm'), 10_000);
  assert.equal(convertUnit(50, '%LEL', '%vol', 'CH4'), 2.2);
  assert.equal(convertUnit(50, '%LEL', '%vol', 'Cl2'), undefined, 'chlorine does not burn: no LEL');
  assert.equal(convertUnit(20, 'C', '%RH'), undefined);
});
