/**
 * Hostile MQTT input (issue 9): 10,000 malformed or adversarial payloads published with a
 * registered agent's own credentials through the embedded broker (aedes, its agent ACL) into the
 * real ingest pipeline. Every one the broker lets through is counted in
 * gwanje_rejected_messages_total by reason; nothing crashes; a valid reading afterwards is still
 * stored; the heap returns near its baseline. Plus the forged-reading test: an agent's
 * credentials cannot get readings stored for another site (broker ACL and the center's site check).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DetectionEngine } from '@gwanje/detection';
import { DecodeError, decode } from '@gwanje/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { freePort, waitFor } from '../../../testkit/index.js';
import { AlarmService } from '../../src/alarms/service.js';
import { CenterMqttClient } from '../../src/broker/client.js';
import { EmbeddedBroker } from '../../src/broker/embedded.js';
import { alarmStoreOf, ingestStoreOf } from '../../src/center-ports.js';
import { IngestPipeline } from '../../src/ingest/pipeline.js';
import { LiveHub } from '../../src/live/hub.js';
import { createTimeSeriesStore } from '../../src/store/timeseries.js';
import type { TimeSeriesStore } from '../../src/store/types.js';
import { testBus } from '../support/bus.js';
import { metricValue, openTestStore, type TestCenterStore } from './fixture.js';

const SERVICE = { username: 'gwanje-center', password: randomBytes(24).toString('hex') };
const TOTAL = 10_000;

let store: TestCenterStore;
let broker: EmbeddedBroker;
let center: CenterMqttClient;
let ingest: IngestPipeline;
let alarms: AlarmService;
let timeseries: TimeSeriesStore;
let suwonPw: string;
let seongnamPw: string;

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;
function heapMb(): number {
  for (let i = 0; i < 3; i++) gc();
  // Payload Buffers live outside the JS heap: count them too (arrayBuffers).
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 1024 / 1024;
}

async function rejectedByReason(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await store.metrics.text()).split('\n')) {
    const m = /^gwanje_rejected_messages_total\{reason="([^"]+)"\} (\S+)$/.exec(line);
    if (m?.[1] && m[2]) out.set(m[1], Number(m[2]));
  }
  return out;
}
const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

const connectAgent = (username: string, password: string): Promise<MqttClient> =>
  mqtt.connectAsync(broker.url, {
    username,
    password,
    protocolVersion: 4,
    // The broker binds the client id to the login (security review F2).
    clientId: username,
    reconnectPeriod: 0,
  });

before(async () => {
  store = await openTestStore();
  suwonPw = (await store.credentials.provision('suwon-f1', 'suwon')).password;
  seongnamPw = (await store.credentials.provision('seongnam-f1', 'seongnam')).password;
  const { log, metrics, repos } = store;
  broker = new EmbeddedBroker({
    port: await freePort(),
    host: '127.0.0.1',
    service: SERVICE,
    auth: store.credentials,
    log,
  });
  await broker.start();
  timeseries = createTimeSeriesStore({ dataDir: store.dir, log });
  await timeseries.start();
  const live = new LiveHub({
    log,
    metrics,
    verify: async () => ({ username: 'x', sites: [] }),
    activeAlarms: () => [],
  });
  let n = 0;
  alarms = new AlarmService({
    log,
    metrics,
    store: alarmStoreOf(repos),
    engine: new DetectionEngine({ newId: () => `f${++n}` }),
    bus: testBus(live),
  });
  await alarms.start();
  ingest = new IngestPipeline({ log, metrics, store: ingestStoreOf(repos), timeseries, alarms, live });
  await ingest.start();
  center = new CenterMqttClient({
    url: broker.url,
    ...SERVICE,
    protocolVersion: 4,
    log,
    onMessage: (t, p) => ingest.handle(t, p),
  });
  await center.start();
});

after(async () => {
  await center?.stop();
  await ingest?.stop();
  await alarms?.stop();
  await timeseries?.stop();
  await broker?.stop();
  await store?.close();
});

const A = 'suwon-f1';
const P = `gwanje/v1/suwon/${A}`;
const good = (seq: number) => ({
  agentId: A,
  seq,
  readings: [
    { sensorId: 'suwon-ch4-1', metric: 'gas', gas: 'CH4', value: 3, unit: '%LEL', ts: Date.now(), quality: 'good' },
  ],
});
const nest = (depth: number): unknown => (depth === 0 ? 1 : { a: nest(depth - 1) });

/** One adversarial payload per index, on one of the agent's own uplink topics. */
function hostile(i: number): { topic: string; payload: Buffer } {
  const j = (v: unknown) => Buffer.from(JSON.stringify(v));
  const t = `${P}/telemetry`;
  const kinds: Array<() => { topic: string; payload: Buffer }> = [
    () => ({ topic: t, payload: j({ ...good(i), seq: String(i) }) }), // wrong type
    () => ({ topic: t, payload: j({ ...good(i), readings: [{ ...good(i).readings[0], value: '12.5' }] }) }),
    () => ({
      topic: t,
      payload: Buffer.from(
        `{"agentId":"${A}","seq":${i},"readings":[{"sensorId":"suwon-ch4-1","metric":"gas","gas":"CH4","value":1e999,"unit":"%LEL","ts":1,"quality":"good"}]}`,
      ),
    }), // huge number
    () => ({ topic: t, payload: j({ ...good(i), seq: -1 - i }) }),
    () => ({ topic: t, payload: j(nest(20 + (i % 200))) }), // deep nesting
    () => ({
      topic: t,
      payload: Buffer.concat([
        Buffer.from('{"agentId":"'),
        Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
        Buffer.from(`","seq":${i},"readings":[]}`),
      ]),
    }), // invalid UTF-8
    () => ({
      topic: t,
      payload: Buffer.from(`{"agentId":"${A}","seq":${i},"readings":[],"__proto__":{"admin":true}}`),
    }),
    () => ({
      topic: `${P}/events`,
      payload: Buffer.from(
        `{"type":"local-alarm","sourceId":"x","ts":1,"constructor":{"prototype":{"polluted":true}}}`,
      ),
    }),
    () => ({ topic: t, payload: j({ ...good(i), agentId: 'seongnam-f1' }) }), // wrong agentId for the topic
    () => ({ topic: `${P}/status`, payload: j({ state: 'maybe', version: 1, uptimeS: -5, buffered: 0.5, ts: 'now' }) }),
    () => ({ topic: `${P}/cameras`, payload: j({ cameras: [{ cameraId: '../../etc/passwd', ptz: 'yes' }] }) }),
    () => ({ topic: `${P}/cmd/result`, payload: j({ id: { $gt: '' }, ok: 'true' }) }),
    () => ({ topic: t, payload: Buffer.from(`{"agentId":"${A}","seq":${i},`) }), // truncated
    () => ({ topic: `${P}/status`, payload: randomBytes(1 + (i % 64)) }), // noise
    () => ({ topic: t, payload: j([1, 2, 3]) }),
    () => ({ topic: t, payload: Buffer.alloc(0) }),
    // Oversize: just over each kind's cap (status 16 kB, telemetry 1 MB); few of them, they are big.
    () =>
      i % 10 === 0
        ? { topic: t, payload: Buffer.alloc(1024 * 1024 + 1, 0x20) }
        : { topic: `${P}/status`, payload: Buffer.alloc(16 * 1024 + 1, 0x20) },
  ];
  return (kinds[i % kinds.length] as () => { topic: string; payload: Buffer })();
}

test('10,000 hostile payloads are each rejected and counted; the center keeps working; heap returns', async (t) => {
  const warm = await rejectedByReason();
  const baseline = heapMb();
  const corpus = Array.from({ length: TOTAL }, (_, i) => hostile(i));
  // The corpus itself must be hostile: every item fails protocol decode (else the test proves nothing).
  for (const { topic, payload } of corpus) assert.throws(() => decode(topic, payload), DecodeError, topic);

  const agent = await connectAgent(A, suwonPw);
  for (let k = 0; k < corpus.length; k += 250) {
    await Promise.all(corpus.slice(k, k + 250).map((m) => agent.publishAsync(m.topic, m.payload, { qos: 1 })));
  }
  await waitFor(async () => sum(await rejectedByReason()) - sum(warm) >= TOTAL, 30_000);
  const byReason = await rejectedByReason();
  const delta = new Map([...byReason].map(([r, v]) => [r, v - (warm.get(r) ?? 0)]));
  assert.equal(sum(delta), TOTAL, `rejections by reason: ${JSON.stringify(Object.fromEntries(delta))}`);
  for (const r of ['json', 'schema']) assert.ok((delta.get(r) ?? 0) > 0, `reason ${r} counted: ${[...delta.keys()]}`);
  assert.equal(agent.connected, true, 'the broker kept the agent connected (all on its own topics)');

  // Nothing polluted, and a valid reading afterwards is stored.
  assert.equal(({} as Record<string, unknown>).admin, undefined);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  await agent.publishAsync(`${P}/telemetry`, JSON.stringify(good(1)), { qos: 1 });
  await waitFor(async () => (await metricValue(store.metrics, 'gwanje_readings_total')) === 1, 10_000);
  await agent.endAsync();
  corpus.length = 0;
  const afterMb = heapMb();
  t.diagnostic(`rejected by reason: ${JSON.stringify(Object.fromEntries(delta))}`);
  t.diagnostic(`heap: baseline ${baseline.toFixed(1)} MB, after ${afterMb.toFixed(1)} MB`);
  assert.ok(afterMb < baseline + 40, `heap ${afterMb.toFixed(1)} MB vs baseline ${baseline.toFixed(1)} MB`);
});

test("an agent's credentials cannot get readings stored for another site", async () => {
  const stored0 = await metricValue(store.metrics, 'gwanje_readings_total');
  const unauthorized0 = (await rejectedByReason()).get('unauthorized') ?? 0;
  const forged = (siteId: string, agentId: string, seq: number) =>
    JSON.stringify({
      agentId,
      seq,
      readings: [
        {
          sensorId: `${siteId}-ch4-9`,
          metric: 'gas',
          gas: 'CH4',
          value: 99,
          unit: '%LEL',
          ts: Date.now(),
          quality: 'good',
        },
      ],
    });
  // 1. Broker ACL: suwon-f1 publishing on seongnam's topics (its own id, or seongnam's agent) is refused.
  for (const [site, id] of [
    ['seongnam', A],
    ['seongnam', 'seongnam-f1'],
  ] as const) {
    const a = await connectAgent(A, suwonPw);
    const closed = new Promise<void>((resolve) => a.once('close', () => resolve()));
    a.publish(`gwanje/v1/${site}/${id}/telemetry`, forged(site, id, 50), { qos: 1 });
    await closed; // aedes drops a client whose publish is not authorized
    a.end(true);
  }
  // 2. The center's site check (a broker without that ACL, e.g. an external one misconfigured):
  //    a message on another site's prefix naming suwon-f1 is refused by ingest, not stored.
  const service = await mqtt.connectAsync(broker.url, { ...SERVICE, protocolVersion: 4, clientId: 'gwanje_forger' });
  await service.publishAsync(`gwanje/v1/seongnam/${A}/telemetry`, forged('seongnam', A, 51), { qos: 1 });
  await service.endAsync();
  await waitFor(async () => ((await rejectedByReason()).get('unauthorized') ?? 0) === unauthorized0 + 1, 10_000);
  // 3. The real seongnam agent still works (the refusals were about identity, not the topic space).
  const s = await connectAgent('seongnam-f1', seongnamPw);
  await s.publishAsync('gwanje/v1/seongnam/seongnam-f1/telemetry', forged('seongnam', 'seongnam-f1', 1), { qos: 1 });
  await s.endAsync();
  await waitFor(async () => (await metricValue(store.metrics, 'gwanje_readings_total')) === stored0 + 1, 10_000);
  await timeseries.flush?.(10_000);
  const rows = await store.repos.sensors.list('*');
  const sensor = rows.find((r) => r.sensorId === 'seongnam-ch4-9');
  assert.equal(sensor?.agentId, 'seongnam-f1', 'only the real seongnam agent registered the sensor');
  assert.equal(await metricValue(store.metrics, 'gwanje_readings_total'), stored0 + 1);
});
