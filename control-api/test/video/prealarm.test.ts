/**
 * Issue 19: in a cluster an instance holds the pre-alarm buffer only of cameras of the sites it
 * owns (where their alarms are raised and clipped), so a pre-roll camera is not pulled a second
 * time by every other instance; when it takes a site over, that site's cameras join its set.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { PrealarmLinks } from '../../src/video/prealarm.js';

const sensors = [
  { sensorId: 'suwon-ch4', siteId: 'suwon', metric: 'gas' as const, cameras: [{ cameraId: 'suwon-cam-1' }] },
  {
    sensorId: 'anyang-flame',
    siteId: 'anyang',
    metric: 'flame' as const,
    cameras: [{ cameraId: 'anyang-cam-1' }],
  },
  {
    sensorId: 'anyang-temp',
    siteId: 'anyang',
    metric: 'temperature' as const,
    cameras: [{ cameraId: 'anyang-cam-2' }],
  },
];

test('pre-roll cameras follow the sites this instance owns', async () => {
  const owned = new Set(['suwon']);
  let held: string[] = [];
  const links = new PrealarmLinks({
    log: pino({ level: 'silent' }),
    sensors: { list: async () => sensors },
    gateway: {
      holdPrealarm: (ids) => {
        held = [...ids];
      },
    },
    max: 10,
    owns: (siteId) => owned.has(siteId),
  });
  await links.refresh();
  assert.deepEqual(held, ['suwon-cam-1']);
  owned.add('anyang'); // a takeover
  await links.refresh();
  assert.deepEqual(held, ['anyang-cam-1', 'suwon-cam-1']);
  owned.clear();
  await links.refresh();
  assert.deepEqual(held, []);
});
