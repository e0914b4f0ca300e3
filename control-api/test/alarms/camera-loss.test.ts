/**
 * Camera-loss through the alarm service with the real DetectionEngine and SQLite store: the
 * gateway's 'lost' raises a priority-2 camera-loss alarm on the camera, 'idle' changes nothing,
 * 'live' returns it to normal; listeners hear each change and a throwing listener stops no one.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DetectionEngine } from '@gwanje/detection';
import type { Alarm } from '@gwanje/protocol';
import { waitFor } from '../../../testkit/index.js';
import { AlarmService } from '../../src/alarms/service.js';
import { alarmStoreOf } from '../../src/center-ports.js';
import { openTestStore, type TestCenterStore } from '../ingest/fixture.js';
import { testBus } from '../support/bus.js';

let store: TestCenterStore;
const clock = 1_800_000_000_000;

before(async () => {
  store = await openTestStore();
});

after(async () => {
  await store?.close();
});

test('a lost camera raises camera-loss and clears when live again; listeners are isolated', async () => {
  const emitted: Alarm[] = [];
  const heard: Array<{ state: string; raised: boolean }> = [];
  const bus = testBus();
  const alarms = new AlarmService({
    log: store.log,
    metrics: store.metrics,
    store: alarmStoreOf(store.repos),
    engine: new DetectionEngine({ newId: () => 'cam-al-1' }),
    bus,
    now: () => clock,
    tickMs: 3_600_000,
  });
  bus.on('broken', 'alarm.changed', () => {
    throw new Error('broken listener');
  });
  bus.on('test', 'alarm.changed', ({ alarm, raised, announced }) => {
    if (announced) emitted.push(alarm);
    heard.push({ state: alarm.state, raised });
  });
  await alarms.start();

  alarms.cameraState('suwon-cam-1', 'suwon', 'lost', clock);
  await waitFor(() => emitted.length === 1);
  const raised = emitted[0];
  assert.equal(raised.type, 'camera-loss');
  assert.equal(raised.sourceKind, 'camera');
  assert.equal(raised.sourceId, 'suwon-cam-1');
  assert.equal(raised.priority, 2);
  assert.equal(raised.state, 'unack');
  assert.deepEqual(raised.cameras, ['suwon-cam-1']);
  assert.deepEqual(
    alarms.active().map((a) => a.type),
    ['camera-loss'],
  );

  alarms.cameraState('suwon-cam-1', 'suwon', 'idle', clock + 500);
  alarms.cameraState('suwon-cam-1', 'suwon', 'live', clock + 1000);
  await alarms.idle();
  assert.equal(emitted.length, 2);
  const cleared = emitted[1];
  assert.equal(cleared.id, raised.id);
  // Unacknowledged and returned to normal (ISA-18.2 "rtn unack"): no longer active.
  assert.equal(cleared.active ?? cleared.state === 'unack', false);
  assert.deepEqual(
    heard.map((h) => h.raised),
    [true, false],
  );
  const stored = (await store.repos.alarms.get(raised.id)) as Alarm;
  assert.equal(stored.type, 'camera-loss');
  await alarms.stop();
});
