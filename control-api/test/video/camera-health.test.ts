/**
 * Issue 20 against the whole center (embedded broker, SQLite, real agents' MQTT sessions):
 * - a camera linked to a gas sensor is held for alarm pre-roll: the center asks its agent to push
 *   (`stream.start`) with nobody watching, and `GET /api/v1/cameras` shows `health.prealarm`;
 * - ONVIF tamper and video-loss notifications an agent forwards raise camera-tamper / video-loss
 *   through the ISA-18.2 lifecycle and return to normal when the camera says so; motion stays an
 *   event; another agent's notification about this camera raises nothing and is counted.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Alarm } from '@gwanje/protocol';
import type { MqttClient } from 'mqtt';
import { waitFor } from '../../../testkit/index.js';
import { centerApi, connectAgent, type IssuedAgent } from '../support/agents.js';
import { startTestCenter, type TestCenter } from '../support/center.js';

const PASSWORD = 'health-Control-r00m-7!';
const CAM = 'suwon-health-cam';
let center: TestCenter;
let admin: string;
let suwon: IssuedAgent;
let evil: IssuedAgent;
let s: MqttClient;
let e: MqttClient;
const commands: Array<{ action: string; args: { cameraId?: string } }> = [];
const c = centerApi(() => center.base);
let seq = Date.now();

const onvif = (client: MqttClient, a: IssuedAgent, topic: string, state: boolean) =>
  client.publishAsync(
    `gwanje/v1/${a.siteId}/${a.agentId}/events`,
    JSON.stringify({
      type: 'camera-event',
      sourceId: CAM,
      ts: Date.now(),
      event: 'onvif',
      topic,
      data: { data: { simpleItem: { $: { Name: 'State', Value: state } } } },
    }),
    { qos: 1 },
  );
const alarmsOf = async (type: string) =>
  (await c.api<Alarm[]>('GET', '/api/v1/alarms?siteId=suwon', admin)).body.filter(
    (a) => a.type === type && a.sourceId === CAM,
  );
type CameraItem = { cameraId: string; health?: { state: string; prealarm: boolean; preRollMs: number } };
const camera = async () =>
  (await c.api<CameraItem[]>('GET', '/api/v1/cameras?siteId=suwon', admin)).body.find((x) => x.cameraId === CAM);

before(async () => {
  center = await startTestCenter({ password: PASSWORD });
  admin = await c.login('admin', PASSWORD);
  suwon = await c.provision(admin, 'suwon-health-gw', 'suwon');
  evil = await c.provision(admin, 'evil-health-gw', 'ansan');
  s = await connectAgent(suwon, {}, (topic, payload) => {
    if (topic.endsWith('/cmd')) commands.push(JSON.parse(payload.toString()));
  });
  await s.subscribeAsync(`gwanje/v1/suwon/${suwon.agentId}/cmd`, { qos: 1 });
  e = await connectAgent(evil);
  await s.publishAsync(
    `gwanje/v1/suwon/${suwon.agentId}/cameras`,
    JSON.stringify({ cameras: [{ cameraId: CAM, name: 'yard', ptz: false, profiles: [] }] }),
    { qos: 1, retain: true },
  );
  await s.publishAsync(
    `gwanje/v1/suwon/${suwon.agentId}/telemetry`,
    JSON.stringify({
      agentId: suwon.agentId,
      seq: ++seq,
      readings: [
        {
          sensorId: 'suwon-health-ch4',
          metric: 'gas',
          gas: 'CH4',
          value: 1,
          unit: '%LEL',
          ts: Date.now(),
          quality: 'good',
        },
      ],
    }),
    { qos: 1 },
  );
  await waitFor(async () => (await camera()) !== undefined, 10_000);
  await waitFor(
    async () =>
      (await c.api<Array<{ sensorId: string }>>('GET', '/api/v1/sensors?siteId=suwon', admin)).body.some(
        (x) => x.sensorId === 'suwon-health-ch4',
      ),
    10_000,
  );
});

after(async () => {
  await s?.endAsync();
  await e?.endAsync();
  await center?.stop();
});

test('a camera linked to a gas sensor streams for pre-roll with nobody watching', async () => {
  assert.equal((await camera())?.health?.prealarm, false, 'not linked yet');
  const r = await c.api('PATCH', '/api/v1/sensors/suwon-health-ch4', admin, { cameras: [{ cameraId: CAM }] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await waitFor(async () => (await camera())?.health?.prealarm === true, 10_000);
  await waitFor(() => commands.some((x) => x.action === 'stream.start' && x.args.cameraId === CAM), 10_000);
  const h = (await camera())?.health;
  assert.ok(h && ['starting', 'lost', 'live'].includes(h.state), JSON.stringify(h));
});

test('ONVIF tamper and video loss raise camera-loss family alarms; motion does not', async () => {
  await onvif(s, suwon, 'tns1:VideoSource/GlobalSceneChange/ImagingService', true);
  await waitFor(async () => (await alarmsOf('camera-tamper')).some((a) => a.state === 'unack'), 10_000);
  const [tamper] = await alarmsOf('camera-tamper');
  assert.equal(tamper.sourceKind, 'camera');
  assert.equal(tamper.priority, 2);
  assert.deepEqual(tamper.cameras, [CAM]);
  await onvif(s, suwon, 'tns1:VideoSource/GlobalSceneChange/ImagingService', false);
  await waitFor(async () => (await alarmsOf('camera-tamper'))[0]?.state === 'rtn-unack', 10_000);

  await onvif(s, suwon, 'tns1:VideoSource/SignalLoss', true);
  await waitFor(async () => (await alarmsOf('video-loss')).length === 1, 10_000);

  await onvif(s, suwon, 'tns1:VideoSource/MotionAlarm', true);
  await new Promise((r) => setTimeout(r, 500));
  const types = (await c.api<Alarm[]>('GET', '/api/v1/alarms?siteId=suwon', admin)).body
    .filter((a) => a.sourceId === CAM)
    .map((a) => a.type)
    .sort();
  assert.deepEqual(types, ['camera-tamper', 'video-loss']);
});

test("another agent's notification about this camera raises nothing and is counted", async () => {
  const before = await c.metric('gwanje_rejected_messages_total', '{reason="unauthorized"}');
  await onvif(e, evil, 'tns1:VideoSource/SignalLoss', false);
  await waitFor(
    async () => (await c.metric('gwanje_rejected_messages_total', '{reason="unauthorized"}')) === before + 1,
    10_000,
  );
  assert.equal((await alarmsOf('video-loss'))[0]?.state, 'unack', 'still standing');
});
