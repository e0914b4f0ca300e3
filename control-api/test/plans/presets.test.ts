/** Issue 21: which of a camera's own presets an alarm turns it to (pure rule of plans/presets.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { presetKey, presetNamedFor } from '../../src/plans/presets.js';

const presets = [
  { name: 'Gate', token: '1' },
  { name: 'Boiler room', token: '2' },
  { name: 'BOILER-CH4-1', token: '3' },
  { name: 'Boiler CH4', token: '5' },
];

test('a preset named for the sensor id comes first, then its name, then its zone', () => {
  assert.equal(presetNamedFor(presets, ['boiler-ch4-1', 'Boiler CH4', 'Boiler room']), '3');
  assert.equal(presetNamedFor(presets, ['boiler-ch4-2', 'Boiler CH4', 'Boiler room']), '5');
  assert.equal(presetNamedFor(presets, ['boiler-ch4-2', undefined, 'boiler_room']), '2');
  assert.equal(presetNamedFor(presets, ['tank-ch4-1', 'Tank', 'Tank farm']), undefined, 'no match: left where it is');
  assert.equal(presetNamedFor([{ name: 'Tank farm', token: '' }], ['tank farm']), undefined, 'a preset without token');
});

test('names compare without case, spaces, _ and -', () => {
  assert.equal(presetKey(' Boiler  Room '), presetKey('boiler_room'));
  assert.equal(presetKey('BOILER-ROOM'), 'boilerroom');
  assert.notEqual(presetKey('boiler room 2'), presetKey('boiler room'));
});
