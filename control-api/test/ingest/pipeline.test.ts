/**
 * Ingest against a real Mosquitto (MQTT 5 shared subscriptions) and a real InfluxDB: telemetry
 * is de-duplicated by (agentId, seq) across a center restart, every rejection is counted by
 * reason, and a reading forged for another site is refused.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DetectionEngine } from '@gwanje/detection';
import mqtt, { type MqttClient } from 'mqtt';
import {
  type InfluxInstance,
  type MosquittoInstance,
  startInfluxDB,
  startMosquitto,
  waitFor,
} from '../../../testkit/index.js';
import { AlarmService } from '../../src/alarms/service.js';
import { CenterMqttClient } from '../../src/broker/client.js';
import { alarmStoreOf, ingestStoreOf } from '../../src/center-ports.js';
import { IngestPipeline } from '../../src/ingest/pipeline.js';
import { LiveHub } from '../../src/live/hub.js';
import { createTimeSeriesStore } from '../../src/store/timeseries.js';
import type { TimeSeriesStore } from '../../src/store/types.js';
import { testBus } from '../support/bus.js';
import { metricValue, openTestStore, type TestCenterStore } from './fixture.js';

let store: TestCenterStore;
let mosq: MosquittoInstance;
let influx: InfluxInstance;
let timeseries: TimeSeriesStore;
let publisher: MqttClient;
let ids = 0;

interface RunningCenter {
  ingest: IngestPipeline;
  alarms: AlarmService;
  client: CenterMqttClient;
  stop(): Promise<void>;
}

/** The center's ingest side as main.ts wires it, minus HTTP. */
async function startIngest(): Promise<RunningCenter> {
  const { repos, metrics, log } = store;
  const live = new LiveHub({
    log,
    metrics,
    verify: async () => ({ username: 'x', sites: [] }),
    activeAlarms: () => [],
  });
  const engine = new DetectionEngine({ newId: () => `a${++ids}` });
  const alarms = new AlarmService({ log, metrics, store: alarmStoreOf(repos), engine, bus: testBus(live) });
  await alarms.start();
  const ingest = new IngestPipeline({ log, metrics, store: ingestStoreOf(repos), timeseries, alarms, live });
  await ingest.start();
  const client = new CenterMqttClient({
    url: mosq.url,
    protocolVersion: 5,
    log,
    onMessage: (t, p) => ingest.handle(t, p),
  });
  await client.start();
  return {
    ingest,
    alarms,
    client,
    stop: async () => {
      await client.stop();
      await ingest.stop();
      await alarms.stop();
    },
  };
}

const reading = (sensorId: string, value: number, ts: number) => ({
  sensorId,
  metric: 'gas',
  gas: 'CH4',
  value,
  unit: '%LEL',
  ts,
  quality: 'good',
});

const publish = (topic: string, payload: unknown) =>
  publisher.publishAsync(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1 });

before(async () => {
  [store, mosq, influx] = await Promise.all([openTestStore(), startMosquitto(), startInfluxDB()]);
  timeseries = createTimeSeriesStore({ influxUrl: `${influx.url}`, dataDir: store.dir, log: store.log });
  await timeseries.start();
  await store.credentials.provision('suwon-a1', 'suwon');
  publisher = await mqtt.connectAsync(mosq.url, { protocolVersion: 5 });
});

after(async () => {
  await publisher?.endAsync();
  await timeseries?.stop();
  await Promise.all([mosq?.stop(), influx?.stop(), store?.close()]);
});

test('telemetry is stored once per (agentId, seq), also after a center restart', async () => {
  const t0 = Date.now();
  const topic = 'gwanje/v1/suwon/suwon-a1/telemetry';
  let center = await startIngest();
  await publish(topic, {
    agentId: 'suwon-a1',
    seq: 1,
    readings: [reading('suwon-ch4-9', 1, t0), reading('suwon-ch4-8', 2, t0)],
  });
  await publish(topic, { agentId: 'suwon-a1', seq: 2, readings: [reading('suwon-ch4-9', 3, t0 + 1000)] });
  await publish(topic, {
    agentId: 'suwon-a1',
    seq: 1,
    readings: [reading('suwon-ch4-9', 1, t0), reading('suwon-ch4-8', 2, t0)],
  });
  await waitFor(async () => (await metricValue(store.metrics, 'gwanje_duplicate_messages_total')) === 1, 10_000);
  assert.equal(await metricValue(store.metrics, 'gwanje_readings_total'), 3);
  await center.stop();

  // A restarted center remembers the last seq: the agent's store-and-forward replay is dropped.
  center = await startIngest();
  await publish(topic, { agentId: 'suwon-a1', seq: 2, readings: [reading('suwon-ch4-9', 3, t0 + 1000)] });
  await publish(topic, { agentId: 'suwon-a1', seq: 3, readings: [reading('suwon-ch4-9', 4, t0 + 2000)] });
  await waitFor(async () => (await metricValue(store.metrics, 'gwanje_readings_total')) === 4, 10_000);
  assert.equal(await metricValue(store.metrics, 'gwanje_duplicate_messages_total'), 2);
  await center.stop();

  await timeseries.flush(10_000);
  const points = await timeseries.query('suwon-ch4-9', t0 - 1000, t0 + 5000, 1000);
  assert.deepEqual(
    points.map((p) => p[2]),
    [1, 3, 4],
  );
  // Sensors first seen in telemetry are registered with their site and agent.
  const sensors = await store.repos.sensors.list('*', { agentId: 'suwon-a1' });
  assert.deepEqual(
    sensors.map((s) => [s.sensorId, s.siteId, s.metric, s.unit]),
    [
      ['suwon-ch4-8', 'suwon', 'gas', '%LEL'],
      ['suwon-ch4-9', 'suwon', 'gas', '%LEL'],
    ],
  );
  assert.equal(sensors.find((s) => s.sensorId === 'suwon-ch4-9')?.lastValue, 4);
});

test('invalid and forged messages are counted by reason and never stored', async () => {
  const center = await startIngest();
  const before = await metricValue(store.metrics, 'gwanje_readings_total');
  const ts = Date.now();
  const cases: Array<[string, string, unknown]> = [
    ['json', 'gwanje/v1/suwon/suwon-a1/telemetry', '{"agentId":'],
    ['schema', 'gwanje/v1/suwon/suwon-a1/telemetry', { agentId: 'suwon-a1', seq: 10, readings: [] }],
    [
      'agent-mismatch',
      'gwanje/v1/suwon/suwon-a1/telemetry',
      { agentId: 'other', seq: 11, readings: [reading('suwon-ch4-9', 1, ts)] },
    ],
    [
      'forbidden-key',
      'gwanje/v1/suwon/suwon-a1/telemetry',
      '{"agentId":"suwon-a1","seq":12,"__proto__":{"x":1},"readings":[]}',
    ],
    // The agent is registered for suwon: a reading it publishes under anyang is forged.
    [
      'unauthorized',
      'gwanje/v1/anyang/suwon-a1/telemetry',
      { agentId: 'suwon-a1', seq: 13, readings: [reading('anyang-ch4-1', 1, ts)] },
    ],
    // Nobody provisioned this agent.
    [
      'unauthorized',
      'gwanje/v1/suwon/ghost/telemetry',
      { agentId: 'ghost', seq: 1, readings: [reading('suwon-ch4-7', 1, ts)] },
    ],
  ];
  for (const [, topic, payload] of cases) await publish(topic, payload);
  await waitFor(
    async () => (await metricValue(store.metrics, 'gwanje_rejected_messages_total', '{reason="unauthorized"}')) === 2,
    10_000,
  );
  for (const reason of ['json', 'schema', 'agent-mismatch', 'forbidden-key']) {
    assert.equal(await metricValue(store.metrics, 'gwanje_rejected_messages_total', `{reason="${reason}"}`), 1, reason);
  }
  assert.equal(await metricValue(store.metrics, 'gwanje_readings_total'), before);
  assert.equal(await store.repos.sensors.get('anyang-ch4-1'), undefined);
  assert.equal(await store.repos.sensors.get('suwon-ch4-7'), undefined);
  await center.stop();
});
