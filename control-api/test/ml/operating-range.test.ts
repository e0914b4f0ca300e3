/** The span each sensor's anomaly grid covers: below its first alarm level (issue 22). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ch4, co, h2s, o2, sensor } from '../../../detection/test/fixtures.js';
import { operatingRange } from '../../src/ml/operating-range.js';

describe('operatingRange', () => {
  it('gas sensors: from 0 (or the low alarm) up to the first high alarm level', () => {
    assert.deepEqual(operatingRange(ch4()), { min: 0, max: 10 });
    assert.deepEqual(operatingRange(co()), { min: 0, max: 30 });
    assert.deepEqual(operatingRange(h2s()), { min: 0, max: 10 });
    assert.deepEqual(operatingRange(o2()), { min: 19.5, max: 23.5 });
  });

  it('follows the configured rules: a disabled gas-low leaves gas-high; a moved setpoint moves the top', () => {
    assert.deepEqual(operatingRange(ch4([{ type: 'gas-low', enabled: false }])), { min: 0, max: 25 });
    assert.deepEqual(operatingRange(ch4([{ type: 'gas-low', setpoint: 5 }])), { min: 0, max: 5 });
  });

  it('without both bounds the model learns its span; a measuring range fills a missing side', () => {
    const temp = sensor('suwon-temp-1', { metric: 'temperature', unit: 'C' });
    assert.equal(operatingRange(temp), undefined);
    const ranged = sensor('suwon-temp-2', { metric: 'temperature', unit: 'C', range: { min: -40, max: 85 } });
    assert.deepEqual(operatingRange(ranged), { min: -40, max: 60 });
    const humidity = sensor('suwon-rh-1', { metric: 'humidity', unit: '%RH' });
    assert.equal(operatingRange(humidity), undefined);
  });
});
