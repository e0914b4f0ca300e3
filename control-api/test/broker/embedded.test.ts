/**
 * Embedded broker auth: an agent logs in with its issued credentials and may only use its own
 * prefix (CONTRACT "The broker then lets that agent publish and subscribe only under
 * gwanje/v1/{siteId}/{agentId}/").
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { freePort, waitFor } from '../../../testkit/index.js';
import { EmbeddedBroker } from '../../src/broker/embedded.js';
import { EMBEDDED_SERVICE_CLIENT_ID } from '../../src/broker/types.js';
import { randomSecret } from '../../src/settings.js';
import { openTestStore, type TestCenterStore } from '../ingest/fixture.js';

let store: TestCenterStore;
let broker: EmbeddedBroker;
const service = { username: 'gwanje-center', password: randomSecret() };
let suwonPw: string;
let forgerPw: string;
const clients: MqttClient[] = [];

/** The client id is the agentId (the service's fixed id for the center), as the broker requires (F2). */
const connect = (username: string, password: string): Promise<MqttClient> =>
  new Promise((resolve, reject) => {
    const c = mqtt.connect(broker.url, {
      protocolVersion: 4,
      username,
      password,
      clientId: username === service.username ? EMBEDDED_SERVICE_CLIENT_ID : username,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    clients.push(c);
    c.once('connect', () => resolve(c));
    c.once('error', (err) => reject(err));
  });

before(async () => {
  store = await openTestStore();
  suwonPw = (await store.credentials.provision('suwon-agent', 'suwon')).password;
  forgerPw = (await store.credentials.provision('suwon-forger', 'suwon')).password;
  await store.credentials.provision('anyang-agent', 'anyang');
  broker = new EmbeddedBroker({
    port: await freePort(),
    host: '127.0.0.1',
    service,
    auth: store.credentials,
    log: store.log,
  });
  await broker.start();
});

after(async () => {
  for (const c of clients) c.end(true);
  await broker.stop();
  await store.close();
});

test('wrong password and unknown agents are refused at CONNECT', async () => {
  await assert.rejects(connect('suwon-agent', 'wrong-password'), /Bad username or password|Not authorized/i);
  await assert.rejects(connect('nobody', suwonPw), /Bad username or password|Not authorized/i);
  await assert.rejects(connect(service.username, 'guess'), /Bad username or password/i);
});

test('an agent publishes under its own prefix and cannot publish under another', async () => {
  const center = await connect(service.username, service.password);
  const seen: string[] = [];
  center.on('message', (topic) => seen.push(topic));
  await center.subscribeAsync('gwanje/v1/#', { qos: 1 });

  const agent = await connect('suwon-agent', suwonPw);
  await agent.publishAsync(
    'gwanje/v1/suwon/suwon-agent/events',
    JSON.stringify({ type: 'x', sourceId: 's', ts: Date.now() }),
    { qos: 1 },
  );
  await waitFor(() => seen.includes('gwanje/v1/suwon/suwon-agent/events'), 5000);

  // Forged: another site's prefix, and another agent's prefix on its own site.
  const forged = await connect('suwon-forger', forgerPw);
  const closed = new Promise<void>((resolve) => forged.once('close', () => resolve()));
  forged.publish('gwanje/v1/anyang/anyang-agent/telemetry', '{}', { qos: 1 });
  forged.publish('gwanje/v1/suwon/other-agent/telemetry', '{}', { qos: 1 });
  await closed; // aedes drops a client whose publish is not authorized (MQTT 3.1.1 has no PUBACK error code).
  await agent.publishAsync(
    'gwanje/v1/suwon/suwon-agent/events',
    JSON.stringify({ type: 'y', sourceId: 's', ts: Date.now() }),
    { qos: 1 },
  );
  await waitFor(() => seen.filter((t) => t.endsWith('/events')).length === 2, 5000);
  assert.ok(
    !seen.some((t) => t.includes('anyang-agent') || t.includes('other-agent')),
    `forged topics reached the center: ${seen}`,
  );
});

test('an agent subscribes only to its own downlink topics', async () => {
  const agent = await connect('suwon-agent', suwonPw);
  const topics = [
    'gwanje/v1/suwon/suwon-agent/cmd',
    'gwanje/v1/anyang/anyang-agent/cmd',
    'gwanje/v1/#',
    'gwanje/v1/suwon/suwon-agent/telemetry',
  ];
  // mqtt.js rejects a SUBACK that holds a failure code (0x80); the codes are on the error's packet.
  const err = await agent.subscribeAsync(topics, { qos: 1 }).then(
    () => undefined,
    (e: { packet?: { granted?: number[] } }) => e,
  );
  assert.deepEqual(err?.packet?.granted, [1, 128, 128, 128]);
});

test('revoked credentials stop working', async () => {
  const pw = (await store.credentials.provision('gunpo-agent', 'gunpo')).password;
  const c = await connect('gunpo-agent', pw);
  c.end(true);
  await store.credentials.revoke('gunpo-agent');
  await assert.rejects(connect('gunpo-agent', pw), /Bad username or password|Not authorized/i);
});
