/**
 * Issue 20: PTZ and ONVIF events of direct cameras, the whole center through its own entry against
 * the testkit ONVIF device simulator (SOAP over HTTP, WS-UsernameToken checked) in front of a real
 * GStreamer RTSP server with Digest auth. No edge agent anywhere near the cameras:
 * - the direct camera streams to a viewer (GetStreamUri opened with the device's credentials);
 * - continuous move, stop, the preset list and go-to-preset reach the device, each audited, never
 *   with the password; an operator of another site gets 404, no token 401;
 * - tamper and video-loss notifications raise camera-tamper / video-loss and return to normal;
 * - a device without an event service is never polled; a wrong password is a 502 naming the camera;
 *   a bare RTSP channel has nobody to command (409);
 * - a flame detector linked to the direct camera's preset turns it on the alarm, announced live.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Alarm, LIVE_NAMESPACE, type LivePresetRecall } from '@gwanje/protocol';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { waitFor } from '../../../testkit/index.js';
import { type OnvifSimulator, startOnvifSimulator } from '../../../testkit/onvif-sim/index.js';
import { type RtspServer, startRtspServer } from '../../../testkit/rtsp.js';
import { centerApi, connectAgent } from '../support/agents.js';
import { startTestCenter, type TestCenter } from '../support/center.js';

const PASSWORD = 'Direct-Onvif-Test-3';
const CAM_PW = 'ptz:S3cret!';
const CAM = 'suwon-onvif-ptz';
let center: TestCenter;
let rtsp: RtspServer;
let sim: OnvifSimulator;
let quiet: OnvifSimulator;
let token = '';
const c = centerApi(() => center.base);

before(async () => {
  rtsp = await startRtspServer({ auth: { method: 'digest', username: 'admin', password: CAM_PW } });
  [sim, quiet] = await Promise.all([
    startOnvifSimulator({ rtspUrl: rtsp.url, username: 'admin', password: CAM_PW, pullHoldMs: 300 }),
    startOnvifSimulator({ rtspUrl: rtsp.url, username: 'admin', password: CAM_PW, events: false }),
  ]);
  center = await startTestCenter({ password: PASSWORD });
  token = await c.login('admin', PASSWORD);
  for (const [cameraId, url, password] of [
    [CAM, sim.url, CAM_PW],
    ['suwon-onvif-quiet', quiet.url, CAM_PW],
    ['suwon-onvif-wrong', quiet.url, 'not-it'],
  ]) {
    const r = await c.api('POST', '/api/v1/cameras', token, {
      cameraId,
      siteId: 'suwon',
      onvif: { url, username: 'admin', password },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
});

after(async () => {
  await center?.stop();
  await Promise.all([sim?.stop(), quiet?.stop()]);
  await rtsp?.stop();
});

const ptz = (cameraId: string, body: unknown, as = token) =>
  c.api<{ ok?: boolean; result?: { presets?: Array<{ token: string }> }; error?: { code: string; message: string } }>(
    'POST',
    `/api/v1/cameras/${cameraId}/ptz`,
    as,
    body,
  );
const alarmOf = async (type: string) =>
  (await c.api<Alarm[]>('GET', '/api/v1/alarms?siteId=suwon', token)).body.find(
    (a) => a.sourceId === CAM && a.type === type,
  );

test('a direct ONVIF camera streams with its own credentials', async () => {
  const ws = new WebSocket(`${center.base.replace(/^http/, 'ws')}/video/${CAM}?token=${token}`);
  let bytes = 0;
  ws.on('message', (m: Buffer) => {
    bytes += m.length;
  });
  ws.on('error', () => undefined);
  try {
    await waitFor(() => bytes > 50_000, 30_000);
  } finally {
    ws.close();
  }
});

test('continuous move, stop, presets and go-to-preset from the center, audited, site-scoped', async () => {
  const moved = await ptz(CAM, { action: 'move', pan: 0.5, tilt: -0.25, zoom: 0 });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  assert.equal(sim.ptz.moving, true);
  assert.deepEqual(sim.ptz.velocity, { x: 0.5, y: -0.25, zoom: 0 });
  assert.equal((await ptz(CAM, { action: 'stop' })).status, 200);
  assert.equal(sim.ptz.moving, false);
  assert.equal(sim.ptz.stops, 1);
  const listed = await ptz(CAM, { action: 'preset', list: true });
  assert.deepEqual(
    listed.body.result?.presets?.map((p) => p.token),
    ['preset-gate', 'preset-tank'],
  );
  assert.equal((await ptz(CAM, { action: 'preset', preset: 'preset-tank' })).status, 200);
  assert.equal(sim.ptz.preset, 'preset-tank');
  const bad = await ptz(CAM, { action: 'preset' });
  assert.equal(bad.status, 400);

  const audit = await c.api<Array<{ action: string; target: string; detail?: unknown }>>(
    'GET',
    '/api/v1/audit?action=camera.ptz',
    token,
  );
  const mine = audit.body.filter((a) => a.target === CAM);
  assert.equal(mine.length, 4, JSON.stringify(mine));
  assert.doesNotMatch(JSON.stringify(audit.body), /S3cret/);

  const op = await c.api('POST', '/api/v1/users', token, {
    username: 'ansan-op',
    password: 'Correct-Horse-Battery-9',
    role: 'operator',
    sites: ['ansan'],
  });
  assert.equal(op.status, 201, JSON.stringify(op.body));
  const other = await c.login('ansan-op', 'Correct-Horse-Battery-9');
  assert.equal((await ptz(CAM, { action: 'stop' }, other)).status, 404);
  assert.equal((await ptz(CAM, { action: 'stop' }, '')).status, 401);
  assert.equal(sim.ptz.stops, 1, 'refused calls never reached the device');
});

test('ONVIF tamper and video loss of a direct camera raise the camera-loss family; motion does not', async () => {
  await waitFor(() => sim.calls.includes('PullMessages'), 15_000);
  sim.emitEvent('tns1:VideoSource/MotionAlarm', { State: 'true' });
  sim.emitEvent('tns1:VideoSource/GlobalSceneChange/ImagingService', { State: 'true' });
  await waitFor(async () => (await alarmOf('camera-tamper'))?.state === 'unack', 15_000);
  const tamper = await alarmOf('camera-tamper');
  assert.equal(tamper?.priority, 2);
  assert.deepEqual(tamper?.cameras, [CAM]);
  sim.emitEvent('tns1:VideoSource/GlobalSceneChange/ImagingService', { State: 'false' });
  await waitFor(async () => (await alarmOf('camera-tamper'))?.state === 'rtn-unack', 15_000);
  sim.emitEvent('tns1:VideoSource/SignalLoss', { State: 'true' });
  await waitFor(async () => (await alarmOf('video-loss'))?.state === 'unack', 15_000);
  const all = (await c.api<Alarm[]>('GET', '/api/v1/alarms?siteId=suwon', token)).body.filter(
    (a) => a.sourceId === CAM,
  );
  assert.deepEqual(all.map((a) => a.type).sort(), ['camera-tamper', 'video-loss'], 'motion is no alarm');
});

test('no event service: not polled; a wrong password: 502; an RTSP-only camera: 409', async () => {
  assert.equal((await ptz('suwon-onvif-quiet', { action: 'stop' })).status, 200);
  assert.ok(quiet.calls.includes('GetProfiles'), 'the device was spoken to');
  assert.equal(quiet.calls.includes('CreatePullPointSubscription'), false, 'and never asked for events');
  const wrong = await ptz('suwon-onvif-wrong', { action: 'stop' });
  assert.equal(wrong.status, 502, JSON.stringify(wrong.body));
  assert.equal(wrong.body.error?.code, 'camera-unreachable');
  assert.match(wrong.body.error?.message ?? '', /suwon-onvif-wrong/);
  assert.doesNotMatch(JSON.stringify(wrong.body), /not-it|S3cret/);
  const plain = await c.api('POST', '/api/v1/cameras', token, {
    cameraId: 'suwon-rtsp-only',
    siteId: 'suwon',
    rtspUrl: rtsp.url,
  });
  assert.equal(plain.status, 201);
  const none = await ptz('suwon-rtsp-only', { action: 'stop' });
  assert.equal(none.status, 409);
  assert.equal(none.body.error?.code, 'no-agent');
});

test("a flame detector's alarm turns the direct camera to its preset, announced live", async () => {
  const agent = await c.provision(token, 'suwon-onvif-gw', 'suwon');
  const mq = await connectAgent(agent);
  const socket = io(center.base + LIVE_NAMESPACE, { path: '/socket.io', auth: { token }, transports: ['websocket'] });
  const recalls: LivePresetRecall[] = [];
  socket.on('camera:preset', (r: LivePresetRecall) => recalls.push(r));
  let seq = 0;
  const flame = (value: number) =>
    mq.publishAsync(
      `gwanje/v1/suwon/${agent.agentId}/telemetry`,
      JSON.stringify({
        agentId: agent.agentId,
        seq: ++seq,
        readings: [
          { sensorId: 'suwon-onvif-flame', metric: 'flame', value, unit: 'bool', ts: Date.now(), quality: 'good' },
        ],
      }),
      { qos: 1 },
    );
  try {
    await flame(0);
    await waitFor(
      async () =>
        (await c.api<Array<{ sensorId: string }>>('GET', '/api/v1/sensors?siteId=suwon', token)).body.some(
          (s) => s.sensorId === 'suwon-onvif-flame',
        ),
      10_000,
    );
    const linked = await c.api('PATCH', '/api/v1/sensors/suwon-onvif-flame', token, {
      cameras: [{ cameraId: CAM, preset: 'preset-gate' }],
    });
    assert.equal(linked.status, 200, JSON.stringify(linked.body));
    assert.equal(sim.ptz.preset, 'preset-tank');
    await flame(1);
    await waitFor(() => sim.ptz.preset === 'preset-gate', 15_000);
    await waitFor(() => recalls.length > 0, 10_000);
    assert.equal(recalls[0].cameraId, CAM);
    assert.equal(recalls[0].preset, 'preset-gate');
    assert.equal(recalls[0].via, 'onvif');
    assert.equal(recalls[0].alarmType, 'flame');
  } finally {
    socket.close();
    await mq.endAsync();
  }
});
