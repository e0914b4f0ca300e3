/**
 * Issue 21: an alarm without configured camera links gets the cameras that see its sensor on the
 * site plan (the AlarmService with the real DetectionEngine, SQLite store, PlanStore and
 * CameraLinker as center.ts wires them), and the fixes of the alarm workbench: the latency journal
 * keeps receivedAt and emittedAt past the next transition, and the raised message survives a clear.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DetectionEngine } from '@gwanje/detection';
import type { Alarm } from '@gwanje/protocol';
import type { Kysely } from 'kysely';
import { AlarmService } from '../../src/alarms/service.js';
import { alarmStoreOf } from '../../src/center-ports.js';
import { contextOf } from '../../src/ingest/sensors.js';
import { readPlan } from '../../src/plans/image.js';
import { CameraLinker } from '../../src/plans/linker.js';
import { PlanStore, type PlanTables } from '../../src/plans/store.js';
import type { SensorRow, StoredReading } from '../../src/store/types.js';
import { PrealarmLinks } from '../../src/video/prealarm.js';
import { openTestStore, type TestCenterStore } from '../ingest/fixture.js';
import { testBus } from '../support/bus.js';
import { makePng } from './images.js';

let store: TestCenterStore;
let plans: PlanStore;
let linker: CameraLinker;
let alarms: AlarmService;
const emitted: Alarm[] = [];
let clock = 1_800_000_000_000;
let ids = 0;

const SITE = 'icheon';

const sensorRow = (sensorId: string, metric: 'flame' | 'gas'): SensorRow => ({
  sensorId,
  siteId: SITE,
  agentId: `${SITE}-a1`,
  metric,
  gas: metric === 'gas' ? 'CH4' : null,
  unit: metric === 'gas' ? '%LEL' : 'bool',
  name: null,
  rules: null,
  cameras: null,
  intervalMs: 2000,
  lastValue: null,
  lastTs: null,
  state: 'normal',
});

const reading = (s: SensorRow, value: number, ts: number): StoredReading => ({
  siteId: s.siteId,
  agentId: s.agentId,
  sensorId: s.sensorId,
  metric: s.metric as StoredReading['metric'],
  gas: s.gas ?? undefined,
  unit: s.unit as StoredReading['unit'],
  value,
  ts,
  quality: 'good',
});

before(async () => {
  store = await openTestStore();
  plans = new PlanStore(store.repos.db.kysely.withoutPlugins() as unknown as Kysely<PlanTables>, store.repos.db.json);
  linker = new CameraLinker({
    store: plans,
    siteCameras: async (siteId) => (await store.repos.cameras.list([siteId])).map((c) => c.cameraId),
    now: () => clock,
  });
  const bus = testBus();
  bus.on('test', 'alarm.changed', ({ alarm, announced }) => {
    if (announced) emitted.push(structuredClone(alarm));
  });
  alarms = new AlarmService({
    log: store.log,
    metrics: store.metrics,
    store: alarmStoreOf(store.repos),
    engine: new DetectionEngine({ newId: () => `al-${++ids}` }),
    bus,
    now: () => clock,
    tickMs: 3_600_000,
    cameraLinks: linker,
  });
  await alarms.start();
  for (const cameraId of ['cam-near-away', 'cam-far-facing', 'cam-unplaced']) {
    await store.repos.cameras.upsert({
      cameraId,
      siteId: SITE,
      agentId: `${SITE}-a1`,
      name: cameraId,
      ptz: false,
      profiles: [],
    });
  }
  // A plan twice as wide as high; the leak sensor in its middle.
  await plans.putPlan(SITE, await readPlan(makePng(200, 100)), 'x', 'admin', clock);
  await plans.setPosition('sensor', 'icheon-flame-1', SITE, { x: 0.5, y: 0.5 }, 'admin', clock);
  // Nearest camera, but looking left, away from the sensor.
  await plans.setPosition('camera', 'cam-near-away', SITE, { x: 0.4, y: 0.5, direction: 270, fov: 60 }, 'admin', clock);
  // Farther, looking left at it, within its range.
  await plans.setPosition(
    'camera',
    'cam-far-facing',
    SITE,
    { x: 0.8, y: 0.5, direction: 270, fov: 40, range: 0.5 },
    'admin',
    clock,
  );
});

after(async () => {
  await alarms?.stop();
  await store?.close();
});

const last = (sourceId: string) => emitted.filter((a) => a.sourceId === sourceId).at(-1) as Alarm;

test('a placed sensor links the camera that sees it, not the nearest one nor the whole site; kept after clear', async () => {
  const s = sensorRow('icheon-flame-1', 'flame');
  const t0 = clock;
  clock += 5;
  alarms.onReading(reading(s, 1, t0), contextOf(s), t0 + 2);
  await alarms.idle();
  const raised = last(s.sensorId);
  assert.deepEqual(raised.cameras, ['cam-far-facing']);
  assert.equal(raised.state, 'unack');
  const stored = (await store.repos.alarms.get(raised.id)) as Alarm;
  assert.deepEqual(stored.cameras, ['cam-far-facing']);

  // Regression (issue 21): the next transition (the flame goes out) kept neither the cameras
  // linked at the raise nor receivedAt / emittedAt, and overwrote what the alarm said.
  clock += 10_000;
  alarms.onReading(reading(s, 0, clock - 1), contextOf(s), clock);
  await alarms.idle();
  const cleared = last(s.sensorId);
  assert.equal(cleared.id, raised.id);
  assert.equal(cleared.state, 'latched');
  assert.deepEqual(cleared.cameras, ['cam-far-facing']);
  assert.deepEqual(cleared.latency, raised.latency);
  assert.equal(cleared.latency?.receivedAt, t0 + 2);
  assert.equal(cleared.latency?.emittedAt, t0 + 5);
  assert.equal(cleared.facts?.active, false, 'message and facts follow the condition');
  assert.equal(cleared.raisedMessage, raised.message);
  assert.deepEqual(cleared.raisedFacts, raised.facts);
  assert.equal(cleared.raisedFacts?.active, true);
  const got = await alarms.get(raised.id);
  assert.equal(got?.alarm.raisedMessage, raised.message);
  assert.equal(got?.alarm.latency?.emittedAt, t0 + 5);
});

test('no camera sees the sensor: the cameras within the link radius; an unplaced sensor: every camera of the site', async () => {
  // Turn the facing camera away; the one 0.1 plan widths away is within the 0.2 radius.
  await plans.setPosition('camera', 'cam-far-facing', SITE, { x: 0.8, y: 0.5, direction: 90, fov: 40 }, 'admin', clock);
  await plans.setPosition('sensor', 'icheon-flame-2', SITE, { x: 0.5, y: 0.5 }, 'admin', clock);
  // As the plan routes do (layoutChanged): the change is written, then the linker told.
  linker.invalidate(SITE);
  const s2 = sensorRow('icheon-flame-2', 'flame');
  clock += 1000;
  alarms.onReading(reading(s2, 1, clock), contextOf(s2), clock);
  await alarms.idle();
  assert.deepEqual(last(s2.sensorId).cameras, ['cam-near-away']);

  const s3 = sensorRow('icheon-flame-3', 'flame');
  clock += 1000;
  alarms.onReading(reading(s3, 1, clock), contextOf(s3), clock);
  await alarms.idle();
  assert.deepEqual([...last(s3.sensorId).cameras].sort(), ['cam-far-facing', 'cam-near-away', 'cam-unplaced']);
});

test("a site's own link radius (set on the plan screen) replaces the default at once; null returns to it", async () => {
  const raise = async (n: number) => {
    const s = sensorRow(`icheon-flame-4${n}`, 'flame');
    await plans.setPosition('sensor', s.sensorId, SITE, { x: 0.5, y: 0.5 }, 'admin', clock);
    linker.invalidate(SITE);
    clock += 1000;
    alarms.onReading(reading(s, 1, clock), contextOf(s), clock);
    await alarms.idle();
    return last(s.sensorId).cameras;
  };
  assert.equal(await linker.radiusOf(SITE), 0.2);
  await plans.setLinkRadius(SITE, 0.05, 'admin', clock);
  linker.invalidate(SITE);
  assert.equal(await linker.radiusOf(SITE), 0.05);
  assert.deepEqual(await raise(1), [], 'no camera within 0.05 plan widths and none sees it: none, not the whole site');
  await plans.setLinkRadius(SITE, 0.35, 'admin', clock);
  assert.deepEqual(await raise(2), ['cam-near-away', 'cam-far-facing'], 'both within 0.35, nearest first');
  await plans.setLinkRadius(SITE, null, 'admin', clock);
  assert.deepEqual(await raise(3), ['cam-near-away'], 'back to the 0.2 default');
  assert.equal(await plans.linkRadius(SITE), undefined);
});

test('regression: a raise completed by an on-delay at a tick still records when the reading was received', async () => {
  const s = sensorRow('icheon-ch4-1', 'gas');
  const t0 = clock + 1000;
  clock = t0 + 4;
  alarms.onReading(reading(s, 60, t0), contextOf(s), t0 + 4);
  clock = t0 + 1500; // past gas-high's 1 s on-delay, no new reading
  alarms.tick();
  await alarms.idle();
  const raised = emitted.find((a) => a.sourceId === s.sensorId && a.type === 'gas-high');
  assert.ok(raised, 'gas-high raised at the tick');
  assert.equal(raised.latency?.sensorTs, t0);
  assert.equal(raised.latency?.receivedAt, t0 + 4);
  assert.equal(raised.latency?.emittedAt, t0 + 1500);
});

test('issue 21: cameras linked by plan position to a hazard sensor keep the pre-alarm buffer (configured links and temperature sensors add none)', async () => {
  const upsert = (
    sensorId: string,
    metric: SensorRow['metric'],
    unit: SensorRow['unit'],
    cameras: SensorRow['cameras'],
  ) => {
    const { lastValue: _v, lastTs: _t, state: _s, ...row } = { ...sensorRow(sensorId, 'gas'), metric, unit, cameras };
    return store.repos.sensors.upsert(row);
  };
  await upsert('icheon-pre-ch4', 'gas', '%LEL', null);
  await upsert('icheon-pre-temp', 'temperature', 'C', null);
  await upsert('icheon-pre-linked', 'gas', '%LEL', [{ cameraId: 'cam-unplaced' }]);
  // The gas sensor next to the near camera; the temperature sensor next to the far one.
  await plans.setPosition('sensor', 'icheon-pre-ch4', SITE, { x: 0.45, y: 0.5 }, 'admin', clock);
  await plans.setPosition('sensor', 'icheon-pre-temp', SITE, { x: 0.85, y: 0.5 }, 'admin', clock);
  await plans.setPosition('sensor', 'icheon-pre-linked', SITE, { x: 0.85, y: 0.5 }, 'admin', clock);
  linker.invalidate(SITE);
  let held: string[] = [];
  const prealarm = new PrealarmLinks({
    log: store.log,
    sensors: store.repos.sensors,
    positionLinks: linker,
    gateway: {
      holdPrealarm: (ids) => {
        held = [...ids];
      },
    },
    max: 10,
  });
  await prealarm.refresh();
  // cam-unplaced by its configured link; cam-near-away by position; cam-far-facing only near the
  // temperature sensor and the configured one, so not held.
  assert.deepEqual(held, ['cam-near-away', 'cam-unplaced']);
  prealarm.stop();
  assert.deepEqual(held, []);
});

test("issue 18: a raise whose site layout is cached is announced in the reading's own turn; a change is read again at once", async () => {
  const s = sensorRow('icheon-flame-18', 'flame');
  const at = { siteId: SITE, sourceId: s.sensorId, sourceKind: 'sensor' as const };
  await plans.setPosition('sensor', s.sensorId, SITE, { x: 0.5, y: 0.5 }, 'admin', clock);
  linker.invalidate(SITE);
  assert.equal(linker.cachedFor(at), undefined, 'a changed layout is never answered from the old cache');
  // Read again without an alarm asking: the next alarm of the site finds it ready.
  for (let i = 0; i < 200 && linker.cachedFor(at) === undefined; i++) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(linker.cachedFor(at), ['cam-near-away']);
  const before = emitted.length;
  clock += 1000;
  alarms.onReading(reading(s, 1, clock), contextOf(s), clock);
  // No await between the reading and this line: the announcement was not left for a later turn.
  assert.equal(emitted.length, before + 1);
  assert.deepEqual(emitted.at(-1)?.cameras, ['cam-near-away']);
  const stored = await alarms.get(last(s.sensorId).id);
  assert.deepEqual(stored?.alarm.cameras, ['cam-near-away'], 'stored with the same cameras');
});
