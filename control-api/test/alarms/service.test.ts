/**
 * AlarmService with the real DetectionEngine, a real SQLite store and a real Socket.IO client:
 * each raise carries its latency journal (sensorTs, receivedAt, evaluatedAt, emittedAt) into the
 * emitted alarm, the stored row and gwanje_alarm_latency_seconds; every transition is journaled
 * with who and why; linked cameras fall back to the site's; standing alarms survive a restart.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { DetectionEngine } from '@gwanje/detection';
import type { Alarm } from '@gwanje/protocol';
import { io, type Socket } from 'socket.io-client';
import { waitFor } from '../../../testkit/index.js';
import { AlarmService } from '../../src/alarms/service.js';
import { alarmStoreOf } from '../../src/center-ports.js';
import { contextOf } from '../../src/ingest/sensors.js';
import { LiveHub } from '../../src/live/hub.js';
import type { SensorRow, StoredReading } from '../../src/store/types.js';
import { metricValue, openTestStore, type TestCenterStore } from '../ingest/fixture.js';
import { testBus } from '../support/bus.js';

let store: TestCenterStore;
let hub: LiveHub;
let server: Server;
let socket: Socket;
const received: Alarm[] = [];
let clock = 1_800_000_000_000;
let ids = 0;

const sensor = (sensorId: string, siteId: string, cameras: string[] | null): SensorRow => ({
  sensorId,
  siteId,
  agentId: `${siteId}-a1`,
  metric: 'flame',
  gas: null,
  unit: 'bool',
  name: null,
  rules: null,
  cameras: cameras ? cameras.map((cameraId) => ({ cameraId })) : null,
  intervalMs: 2000,
  lastValue: null,
  lastTs: null,
  state: 'normal',
});

const flame = (s: SensorRow, value: number, ts: number): StoredReading => ({
  siteId: s.siteId,
  agentId: s.agentId,
  sensorId: s.sensorId,
  metric: 'flame',
  unit: 'bool',
  value,
  ts,
  quality: 'good',
});

function service(): AlarmService {
  const engine = new DetectionEngine({ newId: () => `al-${++ids}` });
  return new AlarmService({
    log: store.log,
    metrics: store.metrics,
    store: alarmStoreOf(store.repos),
    engine,
    bus: testBus(hub),
    now: () => clock,
    tickMs: 3_600_000,
  });
}

before(async () => {
  store = await openTestStore();
  hub = new LiveHub({
    log: store.log,
    metrics: store.metrics,
    verify: async () => ({ username: 'chief', sites: ['*'] }),
    activeAlarms: () => [],
  });
  server = createServer();
  hub.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  socket = io(`http://127.0.0.1:${(server.address() as AddressInfo).port}/live`, {
    auth: { token: 't' },
    transports: ['websocket'],
  });
  socket.on('alarm', (a: Alarm) => received.push(a));
  await new Promise<void>((resolve) => socket.once('alarms:snapshot', () => resolve()));
  await store.repos.cameras.upsert({
    cameraId: 'osan-cam-1',
    siteId: 'osan',
    agentId: 'osan-a1',
    name: 'gate',
    ptz: false,
    profiles: [],
  });
});

after(async () => {
  socket?.disconnect();
  await hub?.stop();
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  await store?.close();
});

test('a raise carries its latency journal to the console, the store and the histogram', async () => {
  const alarms = service();
  await alarms.start();
  const s = sensor('osan-flame-1', 'osan', null);
  const t0 = clock;
  clock = t0 + 7; // evaluated and emitted 7 ms after the sensor's timestamp
  const state = alarms.onReading(flame(s, 1, t0), contextOf(s), t0 + 3);
  assert.equal(state, 'alarm');
  await waitFor(() => received.some((a) => a.sourceId === 'osan-flame-1'));
  const emitted = received.find((a) => a.sourceId === 'osan-flame-1') as Alarm;
  assert.equal(emitted.type, 'flame');
  assert.equal(emitted.state, 'unack');
  assert.deepEqual(emitted.latency, { sensorTs: t0, receivedAt: t0 + 3, evaluatedAt: t0 + 7, emittedAt: t0 + 7 });
  // No camera configured on the sensor: the site's cameras are linked.
  assert.deepEqual(emitted.cameras, ['osan-cam-1']);
  await alarms.idle();
  const stored = (await store.repos.alarms.get(emitted.id)) as Alarm;
  assert.deepEqual(stored.latency, emitted.latency);
  assert.equal(await metricValue(store.metrics, 'gwanje_alarm_latency_seconds_count'), 1);
  assert.equal(await metricValue(store.metrics, 'gwanje_alarm_latency_seconds_sum'), 0.007);
  assert.equal(await metricValue(store.metrics, 'gwanje_alarm_latency_seconds_bucket', '{le="0.01"}'), 1);
  assert.equal(await metricValue(store.metrics, 'gwanje_alarm_latency_seconds_bucket', '{le="0.005"}'), 0);
  assert.equal(await metricValue(store.metrics, 'gwanje_alarms_raised_total', '{type="flame"}'), 1);
  await alarms.stop();
});

test('operator actions are journaled with who and why, and standing alarms survive a restart', async () => {
  let alarms = service();
  await alarms.start();
  const s = sensor('hanam-flame-1', 'hanam', ['hanam-cam-9']);
  clock += 1000;
  alarms.onReading(flame(s, 1, clock), contextOf(s), clock);
  await waitFor(() => received.some((a) => a.sourceId === 'hanam-flame-1'));
  const raised = received.find((a) => a.sourceId === 'hanam-flame-1') as Alarm;
  assert.deepEqual(raised.cameras, ['hanam-cam-9']);
  clock += 5000;
  const acked = await alarms.act(raised.id, 'ack', 'kim', { comment: 'crew dispatched' });
  assert.equal(acked.state, 'acked');
  assert.equal(acked.ackedBy, 'kim');
  await waitFor(() => received.some((a) => a.id === raised.id && a.state === 'acked'));
  await alarms.stop();

  // Restart: the standing (acked, latched) alarm is restored, not raised again by the next reading.
  alarms = service();
  await alarms.start();
  assert.ok(alarms.active().some((a) => a.id === raised.id && a.state === 'acked'));
  clock += 2000;
  alarms.onReading(flame(s, 1, clock), contextOf(s), clock);
  await alarms.idle();
  assert.equal(alarms.active().filter((a) => a.sourceId === 'hanam-flame-1').length, 1);
  const detail = await alarms.get(raised.id);
  assert.deepEqual(
    detail?.journal.map((e) => [e.action, e.actor, e.fromState ?? null, e.toState, e.comment ?? null]),
    [
      ['raise', 'system', null, 'unack', null],
      ['ack', 'kim', 'unack', 'acked', 'crew dispatched'],
    ],
  );
  await alarms.stop();
});
