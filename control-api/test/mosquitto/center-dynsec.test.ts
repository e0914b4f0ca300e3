/**
 * The center against a real external Mosquitto 2 with the dynamic-security plugin: the center
 * ensures its own client, POST /api/v1/agents creates the agent's broker client so it connects
 * with the issued password and its reading becomes a sensor, and DELETE locks it out of the
 * broker itself.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import { jsonApi, type MosquittoInstance, startMosquitto, waitFor } from '../../../testkit/index.js';
import { centerApi, connectAgent, QUEUED_SECRET, queueSecretConfig } from '../support/agents.js';
import { startTestCenter, type TestCenter } from '../support/center.js';

const PASSWORD = 'dynsec-Control-r00m-7!';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
let broker: MosquittoInstance;
let center: TestCenter;
let base: string;

before(async () => {
  broker = await startMosquitto({ dynsec: { adminUser: 'dsadmin', adminPassword: 'dsadmin-secret' } });
  const keyFile = join(tmpdir(), `gwanje-center-dynsec-${process.pid}.pem`);
  writeFileSync(keyFile, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  center = await startTestCenter({
    password: PASSWORD,
    env: {
      GWANJE_CONFIG_PUBLIC_KEY: keyFile,
      GWANJE_MQTT_URL: `mqtt://gwanje-center@127.0.0.1:${broker.port}`,
      GWANJE_MQTT_CENTER_PASSWORD: 'center-secret-123',
      GWANJE_MQTT_ADMIN_URL: `mqtt://dsadmin:dsadmin-secret@127.0.0.1:${broker.port}`,
    },
  });
  base = center.base;
});

after(async () => {
  await center?.stop();
  await broker?.stop();
});

const api = jsonApi(() => base);

test('an agent provisioned by the API connects to Mosquitto, reports, and is locked out on DELETE', async () => {
  const login = await api<{ token: string }>('POST', '/api/v1/auth/login', undefined, {
    username: 'admin',
    password: PASSWORD,
  });
  const token = login.body.token;
  await waitFor(async () => (await api<{ mqtt: string }>('GET', '/healthz')).body.mqtt === 'up', 10_000);
  const created = await api<{ mqtt: { url: string; username: string; password: string } }>(
    'POST',
    '/api/v1/agents',
    token,
    { agentId: 'ds-agent', siteId: 'osan', name: 'dynsec' },
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.mqtt.url, `mqtt://127.0.0.1:${broker.port}`);
  const opts = {
    protocolVersion: 4 as const,
    username: created.body.mqtt.username,
    password: created.body.mqtt.password,
    clientId: 'ds-agent',
    reconnectPeriod: 0,
  };
  const agent = await mqtt.connectAsync(created.body.mqtt.url, opts);
  await agent.publishAsync(
    'gwanje/v1/osan/ds-agent/telemetry',
    JSON.stringify({
      agentId: 'ds-agent',
      seq: 1,
      readings: [
        { sensorId: 'osan-ds-co', metric: 'gas', gas: 'CO', value: 3, unit: 'ppm', ts: Date.now(), quality: 'good' },
      ],
    }),
    { qos: 1 },
  );
  await waitFor(
    async () =>
      (await api<Array<{ sensorId: string }>>('GET', '/api/v1/sensors', token)).body.some(
        (x) => x.sensorId === 'osan-ds-co',
      ),
    10_000,
  );

  const closed = new Promise<void>((resolve) => agent.once('close', () => resolve()));
  const del = await api('DELETE', '/api/v1/agents/ds-agent', token);
  assert.ok(del.status === 200 || del.status === 204, `DELETE answered ${del.status}`);
  await closed;
  agent.end(true);
  await assert.rejects(
    mqtt.connectAsync(created.body.mqtt.url, opts),
    /Not authorized|Bad User Name or Password|connack/i,
  );
});

test("F2 on Mosquitto: an agent cannot use another agent's or the center's client id, nor read its queued config", async () => {
  const c = centerApi(() => base);
  const token = await c.login('admin', PASSWORD);
  const victim = await c.provision(token, 'ds-victim', 'suwon');
  const evil = await c.provision(token, 'ds-evil', 'ansan');
  await queueSecretConfig(c.api, token, victim, privateKey);
  for (const id of ['ds-victim', `gwanje_api_${hostname().slice(0, 40)}_${center.httpPort}`]) {
    await assert.rejects(connectAgent(evil, { clientId: id, clean: false }), /Not authorized|Identifier/i, id);
  }
  const got: string[] = [];
  const back = await connectAgent(victim, { clean: false }, (_t, p) => got.push(p.toString()));
  await waitFor(() => got.length > 0, 5000);
  assert.ok(got[0].includes(QUEUED_SECRET));
  await back.endAsync();
  assert.equal((await c.api<{ mqtt: string }>('GET', '/healthz')).body.mqtt, 'up');
});

test("F1 and F7 through Mosquitto: another agent's inventory leaves a camera alone; a 2^53-1 seq silences nobody", async () => {
  const c = centerApi(() => base);
  const token = await c.login('admin', PASSWORD);
  const owner = await c.provision(token, 'ds-owner', 'suwon');
  const other = await c.provision(token, 'ds-other', 'ansan');
  const [o, x] = [await connectAgent(owner), await connectAgent(other)];
  const inventory = (client: typeof o, a: typeof owner) =>
    client.publishAsync(
      `gwanje/v1/${a.siteId}/${a.agentId}/cameras`,
      JSON.stringify({ cameras: [{ cameraId: 'ds-owner-cam', name: 'gate', ptz: false, profiles: [] }] }),
      { qos: 1, retain: true },
    );
  const ownerOf = async () =>
    (await c.api<Array<{ cameraId: string; agentId: string }>>('GET', '/api/v1/cameras', token)).body.find(
      (cam) => cam.cameraId === 'ds-owner-cam',
    )?.agentId;
  await inventory(o, owner);
  await waitFor(async () => (await ownerOf()) === 'ds-owner', 5000);
  const unauthorized = await c.metric('gwanje_rejected_messages_total', '{reason="unauthorized"}');
  await inventory(x, other);
  await waitFor(
    async () => (await c.metric('gwanje_rejected_messages_total', '{reason="unauthorized"}')) === unauthorized + 1,
    5000,
  );
  assert.equal(await ownerOf(), 'ds-owner');

  const telemetry = (seq: number, value: number) =>
    o.publishAsync(
      'gwanje/v1/suwon/ds-owner/telemetry',
      JSON.stringify({
        agentId: 'ds-owner',
        seq,
        readings: [
          { sensorId: 'ds-owner-ch4', metric: 'gas', gas: 'CH4', value, unit: '%LEL', ts: Date.now(), quality: 'good' },
        ],
      }),
      { qos: 1 },
    );
  await telemetry(Number.MAX_SAFE_INTEGER, 1);
  await telemetry(Date.now(), 60);
  await waitFor(async () => {
    const alarms = await c.api<Array<{ sourceId: string; type: string }>>('GET', '/api/v1/alarms?siteId=suwon', token);
    return alarms.body.some((a) => a.sourceId === 'ds-owner-ch4' && a.type === 'gas-high');
  }, 5000);
  await o.endAsync();
  await x.endAsync();
});
