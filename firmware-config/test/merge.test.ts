import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deepMerge, substitute } from '../src/merge.js';
import { AGENT_VAR, OTHER_VAR, SITE_VAR } from './fixtures.js';

describe('deepMerge', () => {
  it('merges objects deeply and arrays of objects by their id key', () => {
    const base = {
      central: { url: 'mqtt://a', username: 'u' },
      sensors: [
        { sensorId: 's1', unit: '%LEL', rules: [{ type: 'gas-high', setpoint: 25 }] },
        { sensorId: 's2', unit: 'ppm' },
      ],
      outputs: [{ id: 'siren', topic: 't', on: ['gas-high', 'flame'] }],
    };
    const over = {
      central: { url: 'mqtts://b' },
      sensors: [
        { sensorId: 's2', unit: '%vol' },
        { sensorId: 's3', unit: 'C' },
      ],
      outputs: [{ id: 'siren', on: ['flame'] }],
    };
    assert.deepEqual(deepMerge(base, over), {
      central: { url: 'mqtts://b', username: 'u' },
      sensors: [
        { sensorId: 's1', unit: '%LEL', rules: [{ type: 'gas-high', setpoint: 25 }] },
        { sensorId: 's2', unit: '%vol' },
        { sensorId: 's3', unit: 'C' },
      ],
      outputs: [{ id: 'siren', topic: 't', on: ['flame'] }],
    });
    assert.equal(base.sensors.length, 2, 'inputs untouched');
  });

  it('deletes with null and $remove', () => {
    const base = { name: 'x', discovery: { onvif: true }, cameras: [{ cameraId: 'c1' }, { cameraId: 'c2' }] };
    const over = { discovery: null, cameras: [{ cameraId: 'c1', $remove: true }] };
    assert.deepEqual(deepMerge(base, over), { name: 'x', cameras: [{ cameraId: 'c2' }] });
  });

  it(`fills ${SITE_VAR} and ${AGENT_VAR}, leaves unknown placeholders`, () => {
    assert.deepEqual(
      substitute({ a: [`${AGENT_VAR}-ch4-1`], b: `${SITE_VAR}/${OTHER_VAR}` }, { siteId: 's', agentId: 'g' }),
      {
        a: ['g-ch4-1'],
        b: `s/${OTHER_VAR}`,
      },
    );
  });
});
