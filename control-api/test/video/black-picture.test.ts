/**
 * Issue 20 "a frozen or black stream raises camera-loss family alarms", the whole center through
 * its own entry: a direct camera served by GStreamer's RTSP server whose source is black (as a
 * covered lens or a dead sensor encodes) raises camera-black (priority 2, camera-loss family)
 * through the ISA-18.2 lifecycle while someone watches, and `GET /api/v1/cameras` shows
 * `health.black`; pointing the camera at a real picture returns the alarm to normal.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import WebSocket from 'ws';
import { jsonApi, waitFor } from '../../../testkit/index.js';
import { type RtspServer, startRtspServer } from '../../../testkit/rtsp.js';
import { startTestCenter, type TestCenter } from '../support/center.js';

const PASSWORD = 'Black-Picture-Test-4';
const CAM = 'suwon-black-cam';
const BLACK =
  '( videotestsrc is-live=true pattern=black ! video/x-raw,width=320,height=240,framerate=15/1 ' +
  '! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=15 ! rtph264pay name=pay0 pt=96 config-interval=1 )';

let c: TestCenter;
let black: RtspServer;
let scene: RtspServer;
let token = '';
const api = jsonApi(() => c.base);

before(async () => {
  [black, scene] = await Promise.all([startRtspServer({ launch: BLACK }), startRtspServer()]);
  c = await startTestCenter({ password: PASSWORD });
  token = (
    await api<{ token: string }>('POST', '/api/v1/auth/login', undefined, { username: 'admin', password: PASSWORD })
  ).body.token;
});
after(async () => {
  await c?.stop();
  await Promise.all([black?.stop(), scene?.stop()]);
});

type Item = { cameraId: string; health?: { state: string; black?: boolean } };
const health = async () =>
  (await api<Item[]>('GET', '/api/v1/cameras?siteId=suwon', token)).body.find((x) => x.cameraId === CAM)?.health;
const blackAlarm = async () =>
  (
    await api<Array<{ sourceId: string; type: string; state: string; priority: number; cameras: string[] }>>(
      'GET',
      '/api/v1/alarms?siteId=suwon',
      token,
    )
  ).body.find((a) => a.sourceId === CAM && a.type === 'camera-black');

it('a black picture raises camera-black while watched; a real picture returns it to normal', async () => {
  const created = await api('POST', '/api/v1/cameras', token, { cameraId: CAM, siteId: 'suwon', rtspUrl: black.url });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const ws = new WebSocket(`${c.base.replace(/^http/, 'ws')}/video/${CAM}?token=${token}`);
  ws.on('error', () => undefined);
  try {
    // Probed every 15 s, raised on the second black probe in a row.
    await waitFor(async () => (await blackAlarm())?.state === 'unack', 90_000);
    const a = await blackAlarm();
    assert.equal(a?.priority, 2);
    assert.deepEqual(a?.cameras, [CAM]);
    const h = await health();
    assert.equal(h?.black, true, JSON.stringify(h));
    assert.equal(h?.state, 'live', 'the stream flows: a black picture is not a lost camera');

    const patched = await api('PATCH', `/api/v1/cameras/${CAM}`, token, { rtspUrl: scene.url });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    await waitFor(async () => (await blackAlarm())?.state === 'rtn-unack', 90_000);
    assert.equal((await health())?.black, false);
  } finally {
    ws.close();
  }
});
