import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Alarm } from '@gwanje/protocol';
import { backoffDelay, MAX_DELAY_MS } from '../../src/live/backoff.js';
import { decodeLive } from '../../src/live/decode.js';
import { initialLiveState, reduceLive } from '../../src/live/state.js';

const alarm = (o: Partial<Alarm> = {}): Alarm => ({
  id: 'a1',
  siteId: 'suwon',
  sourceId: 'suwon-ch4-1',
  sourceKind: 'sensor',
  type: 'gas-high',
  priority: 1,
  state: 'unack',
  raisedAt: 1_763_900_000_000,
  message: 'CH4 60 %LEL',
  cameras: ['suwon-cam-1'],
  ...o,
});

test('a new priority 1 alarm with cameras enters the list and the alarm video strip', () => {
  const s = reduceLive(initialLiveState, { kind: 'alarm', alarm: alarm() });
  assert.equal(s.alarms.get('a1')?.state, 'unack');
  assert.deepEqual(s.alarmVideo, ['a1']);
  const acked = reduceLive(s, { kind: 'alarm', alarm: alarm({ state: 'acked' }) });
  assert.equal(acked.alarms.get('a1')?.state, 'acked');
  assert.deepEqual(acked.alarmVideo, ['a1'], 'an update is not a new alarm');
});

test('priority 3 alarms and alarms without cameras do not take the alarm video strip', () => {
  let s = reduceLive(initialLiveState, { kind: 'alarm', alarm: alarm({ id: 'p3', priority: 3 }) });
  s = reduceLive(s, { kind: 'alarm', alarm: alarm({ id: 'nocam', cameras: [] }) });
  assert.deepEqual(s.alarmVideo, []);
  assert.equal(s.alarms.size, 2);
});

test('an alarm returning to normal leaves the standing list (ISA-18.2 closed)', () => {
  const s = reduceLive(initialLiveState, { kind: 'alarm', alarm: alarm() });
  assert.equal(reduceLive(s, { kind: 'alarm', alarm: alarm({ state: 'normal' }) }).alarms.size, 0);
});

test('an HTTP resync does not overwrite a newer live update', () => {
  let s = reduceLive(initialLiveState, { kind: 'alarm', alarm: alarm({ state: 'acked', updatedAt: 2e12 }) });
  s = reduceLive(s, { kind: 'alarms', source: 'http', alarms: [alarm({ state: 'unack', updatedAt: 1.9e12 })] });
  assert.equal(s.alarms.get('a1')?.state, 'acked');
  s = reduceLive(s, { kind: 'alarms', source: 'snapshot', alarms: [alarm({ id: 'b' })] });
  assert.deepEqual([...s.alarms.keys()], ['b'], 'a snapshot replaces the set');
});

test('decodeLive drops malformed events and keeps good ones', () => {
  assert.equal(decodeLive('alarm', { id: 1 }), null);
  assert.equal(decodeLive('alarm', alarm({ priority: 7 as 1 })), null);
  assert.equal(decodeLive('alarm', alarm())?.kind, 'alarm');
  assert.equal(decodeLive('agent', { agentId: 'x', siteId: 'y', state: 'maybe' }), null);
  assert.equal(decodeLive('flood', { siteId: 'suwon', active: true, count: 12 })?.kind, 'flood');
});

test('reconnect backoff doubles and is capped', () => {
  assert.equal(backoffDelay(1, 0.5), 500);
  assert.equal(backoffDelay(3, 0.5), 2000);
  assert.equal(backoffDelay(50, 0.5), MAX_DELAY_MS);
  assert.ok(backoffDelay(50, 0.999) <= MAX_DELAY_MS * 1.5);
});

test('issue 20: a recalled PTZ preset is kept per camera, the newest wins; a malformed one is dropped', () => {
  const recall = {
    ...{ cameraId: 'suwon-ptz-1', siteId: 'suwon', preset: 'tank-3', alarmId: 'a1', alarmType: 'flame' },
    ...{ sourceId: 'suwon-flame-1', ts: 1_763_900_000_000, via: 'agent' },
  };
  const m = decodeLive('camera:preset', recall);
  assert.equal(m?.kind, 'preset');
  let s = reduceLive(initialLiveState, m as NonNullable<typeof m>);
  assert.equal(s.presets.get('suwon-ptz-1')?.preset, 'tank-3');
  s = reduceLive(s, { kind: 'preset', recall: { ...recall, preset: 'dock', alarmId: 'a2', via: 'onvif' } });
  assert.equal(s.presets.get('suwon-ptz-1')?.alarmId, 'a2');
  assert.equal(decodeLive('camera:preset', { ...recall, preset: 7 }), null);
});
