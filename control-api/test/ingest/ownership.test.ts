/**
 * Security review F1, F8, F21 against the whole center (embedded broker, SQLite): a camera or
 * sensor belongs to the site and agent that first registered it (CONTRACT). Another agent's
 * inventory or readings cannot move, take or delete it; each agent registers a bounded number of
 * devices and events; an admin of both sites moves or deletes a device explicitly, audited.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MqttClient } from 'mqtt';
import { waitFor } from '../../../testkit/index.js';
import { centerApi, connectAgent, type IssuedAgent } from '../support/agents.js';
import { startTestCenter, type TestCenter } from '../support/center.js';

const PASSWORD = 'owner-Control-r00m-7!';
let center: TestCenter;
let admin: string;
let suwon: IssuedAgent;
let evil: IssuedAgent;
let s: MqttClient;
let e: MqttClient;
const c = centerApi(() => center.base);
let seq = Date.now();

const reading = (sensorId: string, value = 1) => ({
  sensorId,
  metric: 'gas',
  gas: 'CH4',
  value,
  unit: '%LEL',
  ts: Date.now(),
  quality: 'good',
});
async function telemetry(client: MqttClient, a: IssuedAgent, sensorIds: string[]): Promise<void> {
  await client.publishAsync(
    `gwanje/v1/${a.siteId}/${a.agentId}/telemetry`,
    JSON.stringify({ agentId: a.agentId, seq: ++seq, readings: sensorIds.map((id) => reading(id)) }),
    { qos: 1 },
  );
}
const inventory = (client: MqttClient, a: IssuedAgent, ids: string[]) =>
  client.publishAsync(
    `gwanje/v1/${a.siteId}/${a.agentId}/cameras`,
    JSON.stringify({ cameras: ids.map((cameraId) => ({ cameraId, name: cameraId, ptz: false, profiles: [] })) }),
    { qos: 1, retain: true },
  );
const rejected = (reason: string) => c.metric('gwanje_rejected_messages_total', `{reason="${reason}"}`);
const cameras = async (siteId: string) =>
  (await c.api<Array<{ cameraId: string; agentId: string }>>('GET', `/api/v1/cameras?siteId=${siteId}`, admin)).body;
const sensors = async (siteId: string) =>
  (await c.api<Array<{ sensorId: string; agentId: string }>>('GET', `/api/v1/sensors?siteId=${siteId}`, admin)).body;

before(async () => {
  center = await startTestCenter({
    password: PASSWORD,
    env: { GWANJE_AGENT_MAX_SENSORS: '20', GWANJE_AGENT_MAX_CAMERAS: '3' },
  });
  admin = await c.login('admin', PASSWORD);
  suwon = await c.provision(admin, 'suwon-own-gw', 'suwon');
  evil = await c.provision(admin, 'evil-own-gw', 'ansan');
  s = await connectAgent(suwon);
  e = await connectAgent(evil);
});

after(async () => {
  await s?.endAsync();
  await e?.endAsync();
  await center?.stop();
});

test("F1: another agent's inventory cannot take, move or delete a camera", async () => {
  await inventory(s, suwon, ['suwon-own-cam']);
  await waitFor(async () => (await cameras('suwon')).some((x) => x.cameraId === 'suwon-own-cam'), 5000);
  const unauthorized = await rejected('unauthorized');
  await inventory(e, evil, ['suwon-own-cam']);
  await waitFor(async () => (await rejected('unauthorized')) === unauthorized + 1, 5000);
  assert.deepEqual(
    (await cameras('suwon')).filter((x) => x.cameraId === 'suwon-own-cam').map((x) => x.agentId),
    ['suwon-own-gw'],
  );
  assert.deepEqual(await cameras('ansan'), []);
  // Its video pushes stay refused (the ingest gate compares the owner).
  const push = await fetch(`${center.base}/video/ingest/suwon-own-cam`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`evil-own-gw:${evil.mqtt.password}`).toString('base64')}` },
  });
  assert.equal(push.status, 403);
  // An empty inventory deletes only the sender's own cameras.
  await inventory(e, evil, []);
  await new Promise((r) => setTimeout(r, 300));
  assert.ok((await cameras('suwon')).some((x) => x.cameraId === 'suwon-own-cam'));
});

test('F21: an agent keeps at most GWANJE_AGENT_MAX_CAMERAS cameras', async () => {
  const limited = await rejected('device-limit');
  await inventory(e, evil, ['ansan-c1', 'ansan-c2', 'ansan-c3', 'ansan-c4', 'ansan-c5']);
  await waitFor(async () => (await rejected('device-limit')) === limited + 1, 5000);
  assert.deepEqual(
    (await cameras('ansan')).map((x) => x.cameraId),
    ['ansan-c1', 'ansan-c2', 'ansan-c3'],
  );
});

test('F8: a squatted sensor id is given to its owner by an admin of both sites, audited', async () => {
  await telemetry(e, evil, ['suwon-own-ch4-9']);
  await waitFor(async () => (await sensors('ansan')).some((x) => x.sensorId === 'suwon-own-ch4-9'), 5000);
  // The rightful agent's readings are refused while the squatter owns the id.
  const unauthorized = await rejected('unauthorized');
  await telemetry(s, suwon, ['suwon-own-ch4-9']);
  await waitFor(async () => (await rejected('unauthorized')) === unauthorized + 1, 5000);

  // An admin limited to ansan can neither see the suwon agent nor move a device into suwon.
  await c.api('POST', '/api/v1/users', admin, {
    username: 'ansan-admin',
    password: 'Correct-Horse-Battery-9',
    role: 'admin',
    sites: ['ansan'],
  });
  const ansanAdmin = await c.login('ansan-admin', 'Correct-Horse-Battery-9');
  const denied = await c.api<{ error: { field?: string } }>(
    'PUT',
    '/api/v1/sensors/suwon-own-ch4-9/owner',
    ansanAdmin,
    { agentId: 'suwon-own-gw' },
  );
  assert.equal(denied.status, 400);
  assert.equal(denied.body.error.field, 'agentId');

  const moved = await c.api<{ siteId: string; agentId: string }>(
    'PUT',
    '/api/v1/sensors/suwon-own-ch4-9/owner',
    admin,
    { agentId: 'suwon-own-gw' },
  );
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  assert.deepEqual([moved.body.siteId, moved.body.agentId], ['suwon', 'suwon-own-gw']);
  const stored = await c.metric('gwanje_readings_total');
  await telemetry(s, suwon, ['suwon-own-ch4-9']);
  await waitFor(async () => (await c.metric('gwanje_readings_total')) === stored + 1, 5000);
  const audit = await c.api<Array<{ actor: string; target: string; detail: string }>>(
    'GET',
    '/api/v1/audit?action=sensor.rehome',
    admin,
  );
  assert.equal(audit.body[0].target, 'suwon-own-ch4-9');
  assert.match(audit.body[0].detail, /evil-own-gw.*suwon-own-gw/);
});

test('F8: an admin deletes a squatted sensor; the owner registers it with its next reading', async () => {
  await telemetry(e, evil, ['suwon-own-ch4-8']);
  await waitFor(async () => (await sensors('ansan')).some((x) => x.sensorId === 'suwon-own-ch4-8'), 5000);
  assert.equal((await c.api('DELETE', '/api/v1/sensors/suwon-own-ch4-8', admin)).status, 204);
  await telemetry(s, suwon, ['suwon-own-ch4-8']);
  await waitFor(
    async () => (await sensors('suwon')).some((x) => x.sensorId === 'suwon-own-ch4-8' && x.agentId === 'suwon-own-gw'),
    5000,
  );
  assert.equal((await c.api<unknown[]>('GET', '/api/v1/audit?action=sensor.delete', admin)).body.length, 1);
});

test('F8: an agent registers at most GWANJE_AGENT_MAX_SENSORS sensors', async () => {
  const limited = await rejected('device-limit');
  const owned = (await sensors('ansan')).length;
  await telemetry(
    e,
    evil,
    Array.from({ length: 60 }, (_, i) => `ansan-flood-${i}`),
  );
  await waitFor(async () => (await rejected('device-limit')) === limited + 1, 5000);
  assert.equal((await sensors('ansan')).length, 20);
  assert.ok(owned < 20);
});

test('F21: agent events go to their own table at a bounded rate, not to the people audit trail', async () => {
  const limited = await rejected('rate-limit');
  const pad = 'a'.repeat(3000);
  for (let i = 0; i < 200; i++)
    e.publish(
      `gwanje/v1/ansan/evil-own-gw/events`,
      JSON.stringify({ type: 'driver-error', sourceId: `x${i}`, ts: Date.now(), pad }),
      { qos: 1 },
    );
  await waitFor(async () => (await rejected('rate-limit')) >= limited + 70, 10_000);
  const events = await c.api<Array<{ agentId: string; type: string }>>(
    'GET',
    '/api/v1/agent-events?agentId=evil-own-gw&limit=1000',
    admin,
  );
  assert.equal(events.status, 200);
  assert.ok(events.body.length <= 130 && events.body.length >= 100, `${events.body.length} events kept`);
  const audit = await c.api<Array<{ action: string }>>('GET', '/api/v1/audit?limit=1000', admin);
  assert.ok(!audit.body.some((r) => r.action.startsWith('agent.event')));
});
