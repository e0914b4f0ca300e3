/**
 * Issue 4 "every rule configurable per sensor", live: an admin PATCHes a sensor's gas-high
 * setpoint over HTTP and the running ingest + detection judge the very next readings by it,
 * with the linked camera on the alarm. The unpatched sensor of another site is the control:
 * the same 30 %LEL raises gas-high there (CONTRACT default 25 %LEL).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DetectionEngine } from '@gwanje/detection';
import { waitFor } from '../../../testkit/index.js';
import { AlarmService } from '../../src/alarms/service.js';
import { alarmStoreOf, ingestStoreOf } from '../../src/center-ports.js';
import { IngestPipeline } from '../../src/ingest/pipeline.js';
import { LiveHub } from '../../src/live/hub.js';
import { CenterMetrics } from '../../src/metrics.js';
import { createTimeSeriesStore } from '../../src/store/timeseries.js';
import type { TimeSeriesStore } from '../../src/store/types.js';
import { createHarness, type Harness } from '../http/harness.js';
import { testBus } from '../support/bus.js';

const PW = 'harbour-crane-5520';
let h: Harness;
let dir: string;
let timeseries: TimeSeriesStore;
let alarms: AlarmService;
let ingest: IngestPipeline;
const seqs = new Map<string, number>();

before(async () => {
  h = await createHarness();
  await h.seedDevices(['suwon', 'osan']);
  dir = mkdtempSync(join(tmpdir(), 'gwanje-rules-live-'));
  const log = h.deps.log;
  const metrics = new CenterMetrics({ processMetrics: false });
  timeseries = createTimeSeriesStore({ dataDir: dir, log });
  await timeseries.start();
  const live = new LiveHub({
    log,
    metrics,
    verify: async () => ({ username: 'x', sites: [] }),
    activeAlarms: () => [],
  });
  let ids = 0;
  const engine = new DetectionEngine({ newId: () => `r${++ids}` });
  alarms = new AlarmService({
    log,
    metrics,
    store: alarmStoreOf(h.repos),
    engine,
    bus: testBus(live),
    now: h.clock.now,
    tickMs: 3_600_000,
  });
  await alarms.start();
  ingest = new IngestPipeline({
    log,
    metrics,
    store: ingestStoreOf(h.repos),
    timeseries,
    alarms,
    live,
    now: h.clock.now,
  });
  await ingest.start();
  // As center.ts wires it: persist, then reload the one sensor into the running pipeline.
  h.deps.sensorAdmin = { save: (row) => h.repos.sensors.upsert(row), reload: (row) => void ingest.sensors.reload(row) };
});

after(async () => {
  await ingest?.stop();
  await alarms?.stop();
  await timeseries?.stop();
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One CH4 reading from the site's agent, received now (the harness clock). */
async function send(siteId: string, value: number): Promise<void> {
  const agentId = `${siteId}-agent-1`;
  const seq = (seqs.get(agentId) ?? 0) + 1;
  seqs.set(agentId, seq);
  const sensorId = `${siteId}-ch4-1`;
  const ts = h.clock.now();
  const payload = {
    agentId,
    seq,
    readings: [{ sensorId, metric: 'gas', gas: 'CH4', value, unit: '%LEL', ts, quality: 'good' }],
  };
  ingest.handle(`gwanje/v1/${siteId}/${agentId}/telemetry`, Buffer.from(JSON.stringify(payload)));
  await waitFor(() => ingest.sensors.get(sensorId)?.lastTs === ts, 5_000);
}

const gasHigh = (sensorId: string) => alarms.active().find((a) => a.sourceId === sensorId && a.type === 'gas-high');

test('a PATCHed gas-high setpoint of 40 applies at once: 30 %LEL stays quiet, 45 alarms with the linked camera', async () => {
  await h.auth.users.create({ username: 'root', password: PW, role: 'admin', sites: ['*'] }, 'test', null);
  const token = await h.login('root', PW);
  const r = await h.call('PATCH', '/api/v1/sensors/suwon-ch4-1', {
    token,
    body: { rules: [{ type: 'gas-high', setpoint: 40 }], cameras: [{ cameraId: 'suwon-cam-1', preset: 'gate' }] },
  });
  assert.equal(r.status, 200, r.text);

  // gas-high has a 1 s on-delay (CONTRACT defaults): hold each value past it.
  for (const step of [0, 1500]) {
    h.clock.t += step;
    await send('suwon', 30);
    await send('osan', 30);
  }
  alarms.tick();
  assert.ok(gasHigh('osan-ch4-1'), 'control: 30 %LEL raises gas-high under the default 25 %LEL');
  assert.equal(gasHigh('suwon-ch4-1'), undefined, '30 %LEL is below the new setpoint of 40');

  for (const step of [1000, 1500]) {
    h.clock.t += step;
    await send('suwon', 45);
  }
  alarms.tick();
  const alarm = gasHigh('suwon-ch4-1');
  assert.ok(alarm, '45 %LEL is above the new setpoint of 40');
  assert.equal(alarm.threshold, 40);
  assert.deepEqual(alarm.cameras, ['suwon-cam-1']);
});
