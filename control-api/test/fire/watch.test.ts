/**
 * Issue 23 end to end: the running center (startTestCenter: the same module list as `npm start`)
 * with its embedded broker, an agent speaking MQTT like an edge agent, real RTSP cameras (GStreamer)
 * pushed into the gateway by edge-agent's own ffmpeg command line, the detector in its worker on
 * keyframes the gateway decodes.
 * - cam-flame: GStreamer test pattern with a flame region composited in (testkit/flame.ts);
 * - cam-furg: the shared FURG house6 fire video served as an RTSP camera;
 * - cam-quiet: the plain test pattern (a moving ball), no fire;
 * - cam-smoke: a procedural white smoke plume over a street scene (vision/train/smoke-synth.ts,
 *   design seed 1), encoded to H.264 and served as a camera.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Alarm, JournalEntry } from '@gwanje/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { StreamPush } from '../../../edge-agent/src/cameras/stream.js';
import { writeFlamePngs } from '../../../testkit/flame.js';
import { jsonApi, waitFor } from '../../../testkit/index.js';
import { type RtspServer, startRtspServer } from '../../../testkit/rtsp.js';
import { smokeClip } from '../../../vision/train/smoke-synth.js';
import { startTestCenter, type TestCenter } from '../support/center.js';

const SHARED_FIRE = process.env.FIRE_SHARED ?? fileURLToPath(new URL('../../../../shared/fire', import.meta.url));
const PASSWORD = 'fire-Control-r00m-23!';
const SITE = 'icheon';
const AGENT = 'icheon-fire-agent';
const PREFIX = `gwanje/v1/${SITE}/${AGENT}`;
const ENCODE =
  'x264enc tune=zerolatency speed-preset=ultrafast key-int-max=15 bitrate=600 ! rtph264pay name=pay0 pt=96 config-interval=1';

/** A 40 s procedural smoke clip (in grey) as an H.264 file at 15 frames/s (each 1 s picture held), for an RTSP camera. */
async function writeSmokeVideo(file: string): Promise<void> {
  const clip = smokeClip('smoke-white', 1, 40);
  const { width, height } = clip.frames[0];
  const enc = spawn(
    'ffmpeg',
    [
      ...[
        '-hide_banner',
        '-loglevel',
        'error',
        '-y',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        '-s',
        `${width}x${height}`,
      ],
      ...['-r', '1', '-i', 'pipe:0', '-r', '15', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', file],
    ],
    { stdio: ['pipe', 'ignore', 'inherit'] },
  );
  const done = new Promise<number | null>((resolve) => enc.once('close', resolve));
  // Grey scene and grey smoke: nothing flame-coloured, so only the smoke tracker can raise the alarm
  // (on the coloured scene the flame model also flags a wall behind the plume).
  for (const f of clip.frames) {
    const grey = Buffer.alloc(f.data.length);
    for (let o = 0; o < f.data.length; o += 3) {
      const y = (f.data[o] * 77 + f.data[o + 1] * 150 + f.data[o + 2] * 29) >> 8;
      grey[o] = y;
      grey[o + 1] = y;
      grey[o + 2] = y;
    }
    enc.stdin.write(grey);
  }
  enc.stdin.end();
  assert.equal(await done, 0, 'ffmpeg wrote the smoke clip');
}

describe('video fire detection in the running center (issue 23)', () => {
  let center: TestCenter;
  let token = '';
  let agent: MqttClient;
  let auth = '';
  const cameras = new Map<string, RtspServer>();
  const pushes = new Map<string, StreamPush>();
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-fire-'));
  const api = jsonApi(() => center.base);
  let seq = 0;

  const flame = (sensorId: string, value: number) =>
    agent.publishAsync(
      `${PREFIX}/telemetry`,
      JSON.stringify({
        agentId: AGENT,
        seq: ++seq,
        readings: [{ sensorId, metric: 'flame', value, unit: 'bool', ts: Date.now(), quality: 'good' }],
      }),
      { qos: 1 },
    );
  const alarmsOf = async (sourceId: string) =>
    (await api<Alarm[]>('GET', `/api/v1/alarms?siteId=${SITE}`, token)).body.filter((a) => a.sourceId === sourceId);
  const detail = async (id: string) => {
    const { journal, ...alarm } = (await api<Alarm & { journal: JournalEntry[] }>('GET', `/api/v1/alarms/${id}`, token))
      .body;
    return { alarm: alarm as Alarm, journal };
  };

  /** A flame detector linked to `cameraId`, raised; resolves with its alarm as first stored. */
  async function flameAlarm(sensorId: string, cameraId: string): Promise<Alarm> {
    await flame(sensorId, 0);
    await waitFor(async () =>
      (await api<Array<{ sensorId: string }>>('GET', `/api/v1/sensors?siteId=${SITE}`, token)).body.some(
        (s) => s.sensorId === sensorId,
      ),
    );
    const patched = await api('PATCH', `/api/v1/sensors/${sensorId}`, token, { cameras: [{ cameraId }] });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    await flame(sensorId, 1);
    let raised: Alarm | undefined;
    await waitFor(async () => {
      raised = (await alarmsOf(sensorId)).find((a) => a.type === 'flame');
      return raised !== undefined;
    });
    return raised as Alarm;
  }

  before(async () => {
    const pattern = await writeFlamePngs(SHARED_FIRE, join(dir, 'png'), 120, 160, 60, 15);
    const smokeFile = join(dir, 'smoke.mp4');
    await writeSmokeVideo(smokeFile);
    const [flameCam, furgCam, quietCam, smokeCam] = await Promise.all([
      startRtspServer({
        path: 'flame',
        launch:
          '( videotestsrc is-live=true pattern=ball background-color=0xff383830 ! video/x-raw,width=640,height=360,framerate=15/1 ' +
          `! compositor name=mix sink_1::xpos=260 sink_1::ypos=150 ! videoconvert ! ${ENCODE} ` +
          `multifilesrc location=${pattern} loop=true caps=image/png,framerate=15/1 ! pngdec ! videoconvert ! mix. )`,
      }),
      startRtspServer({
        path: 'furg',
        launch: `( filesrc location=${join(SHARED_FIRE, 'furg/house6.mp4')} ! qtdemux ! h264parse ! avdec_h264 ! videoconvert ! ${ENCODE} )`,
      }),
      startRtspServer({ path: 'quiet' }),
      startRtspServer({
        path: 'smoke',
        launch: `( filesrc location=${smokeFile} ! qtdemux ! h264parse ! avdec_h264 ! videoconvert ! ${ENCODE} )`,
      }),
    ]);
    cameras.set(`${SITE}-cam-flame`, flameCam);
    cameras.set(`${SITE}-cam-furg`, furgCam);
    cameras.set(`${SITE}-cam-quiet`, quietCam);
    cameras.set(`${SITE}-cam-smoke`, smokeCam);

    center = await startTestCenter({ password: PASSWORD });
    const login = await api<{ token: string }>('POST', '/api/v1/auth/login', undefined, {
      username: 'admin',
      password: PASSWORD,
    });
    token = login.body.token;
    const created = await api<{ mqtt: { url: string; username: string; password: string } }>(
      'POST',
      '/api/v1/agents',
      token,
      {
        agentId: AGENT,
        siteId: SITE,
      },
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const creds = created.body.mqtt;
    auth = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    agent = await mqtt.connectAsync(creds.url, {
      protocolVersion: 4,
      username: creds.username,
      password: creds.password,
      clientId: AGENT,
    });
    // The agent's side of video: stream.start -> push the camera with edge-agent's ffmpeg command line.
    agent.on('message', (topic, payload) => {
      if (topic !== `${PREFIX}/cmd`) return;
      const cmd = JSON.parse(payload.toString()) as { action: string; args: { cameraId: string; url?: string } };
      const cam = cameras.get(cmd.args.cameraId);
      if (cmd.action === 'stream.start' && cam && cmd.args.url && !pushes.has(cmd.args.cameraId)) {
        const id = cmd.args.cameraId;
        const p = new StreamPush(
          id,
          cmd.args.url,
          { rtsp: cam.url },
          { authorization: auth, redact: (t) => t },
          { log: pino({ level: 'silent' }), onState: (state) => state === 'ended' && pushes.delete(id) },
        );
        pushes.set(id, p);
        p.start();
      } else if (cmd.action === 'stream.stop') {
        void pushes.get(cmd.args.cameraId)?.stop();
        pushes.delete(cmd.args.cameraId);
      }
    });
    await agent.subscribeAsync(`${PREFIX}/cmd`, { qos: 1 });
    await agent.publishAsync(
      `${PREFIX}/cameras`,
      JSON.stringify({
        cameras: [...cameras.keys()].map((cameraId) => ({ cameraId, name: cameraId, ptz: false, profiles: [] })),
      }),
      { qos: 1, retain: true },
    );
    await waitFor(async () => (await api<unknown[]>('GET', `/api/v1/cameras?siteId=${SITE}`, token)).body.length === 4);
  });

  after(async () => {
    await agent?.endAsync();
    await Promise.all([...pushes.values()].map((p) => p.stop()));
    await center?.stop();
    await Promise.all([...cameras.values()].map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('a fire-watch camera showing a flame raises fire-suspected (priority 3, advisory) with a snapshot', async () => {
    const cameraId = `${SITE}-cam-flame`;
    const set = await api('PUT', `/api/v1/cameras/${cameraId}/fire-watch`, token, { enabled: true });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    let alarm: Alarm | undefined;
    await waitFor(
      async () => {
        alarm = (await alarmsOf(cameraId)).find((a) => a.type === 'fire-suspected');
        return alarm !== undefined;
      },
      45_000,
      250,
    );
    const a = alarm as Alarm;
    assert.equal(a.priority, 3);
    assert.equal(a.sourceKind, 'camera');
    assert.equal(a.state, 'unack');
    assert.equal(a.advisory, true);
    assert.deepEqual(a.cameras, [cameraId]);
    assert.ok((a.value ?? 0) >= (a.threshold ?? 1), `score ${a.value} at or above the threshold ${a.threshold}`);
    type Clip = { contentType: string; url: string; cameraId: string };
    let snapshot: Clip | undefined;
    await waitFor(
      async () => {
        const clips = await api<Clip[]>('GET', `/api/v1/alarms/${a.id}/clips`, token);
        snapshot = clips.body.find((c) => c.contentType === 'image/jpeg');
        return snapshot !== undefined;
      },
      20_000,
      250,
    );
    const res = await fetch(`${center.base}${snapshot?.url}?token=${encodeURIComponent(token)}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/jpeg');
    const jpeg = Buffer.from(await res.arrayBuffer());
    assert.deepEqual([...jpeg.subarray(0, 2)], [0xff, 0xd8], 'a JPEG');
    const status = await api<Array<{ cameraId: string; fireWatch: boolean; fire: boolean; detector: string }>>(
      'GET',
      `/api/v1/fire/cameras?siteId=${SITE}`,
      token,
    );
    assert.deepEqual(
      status.body.find((c) => c.cameraId === cameraId),
      { ...status.body.find((c) => c.cameraId === cameraId), fireWatch: true, detector: 'watching', fire: true },
    );
  });

  test('a flame detector alarm whose camera shows the FURG fire video is marked confirmed on camera', async () => {
    const raised = await flameAlarm(`${SITE}-flame-1`, `${SITE}-cam-furg`);
    assert.equal(raised.priority, 1);
    let d: { alarm: Alarm; journal: JournalEntry[] } | undefined;
    await waitFor(
      async () => {
        d = await detail(raised.id);
        return d.alarm.confirmedOnCamera !== undefined;
      },
      45_000,
      250,
    );
    const { alarm, journal } = d as { alarm: Alarm; journal: JournalEntry[] };
    assert.equal(alarm.confirmedOnCamera?.cameraId, `${SITE}-cam-furg`);
    assert.ok((alarm.confirmedOnCamera?.score ?? 0) > 0);
    // Corroboration adds evidence; the detector alarm keeps its state and priority.
    assert.equal(alarm.state, 'unack');
    assert.equal(alarm.priority, 1);
    assert.equal(alarm.confirmedOnCamera?.cue, 'flame');
    const entry = journal.find((j) => j.action === 'confirmed-on-camera');
    assert.equal(entry?.actor, 'video');
    assert.equal(entry?.fromState, 'unack');
    assert.equal(entry?.toState, 'unack');
    // Confirmed on camera makes escalation more urgent: its plan brought forward, journaled (never lowered).
    let advanced: JournalEntry | undefined;
    await waitFor(
      async () => {
        advanced = (await detail(raised.id)).journal.find((j) => j.action === 'escalation-advanced');
        return advanced !== undefined;
      },
      20_000,
      250,
    );
    assert.equal(advanced?.actor, 'escalation');
    assert.match(advanced?.comment ?? '', /confirmed on camera .*cam-furg.*brought forward/);
    assert.equal((await detail(raised.id)).alarm.priority, 1);
  });

  test('a fire-watch camera showing a smoke plume raises fire-suspected for smoke', async () => {
    const cameraId = `${SITE}-cam-smoke`;
    const set = await api('PUT', `/api/v1/cameras/${cameraId}/fire-watch`, token, { enabled: true });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    let alarm: Alarm | undefined;
    await waitFor(
      async () => {
        alarm = (await alarmsOf(cameraId)).find((a) => a.type === 'fire-suspected');
        return alarm !== undefined;
      },
      60_000,
      250,
    );
    assert.equal(alarm?.priority, 3);
    assert.equal(alarm?.advisory, true);
    assert.match(alarm?.message ?? '', /smoke seen on camera/);
  });

  test('a flame detector alarm whose camera shows nothing stays exactly as it was (never suppressed)', async () => {
    const cameraId = `${SITE}-cam-quiet`;
    const raised = await flameAlarm(`${SITE}-flame-2`, cameraId);
    const before = await detail(raised.id);
    // The detector really looks: the camera is watched and its frames are scored, ~1 a second.
    type Status = { cameraId: string; detector: string; fire: boolean; score: number | null };
    const seen: number[] = [];
    await waitFor(
      async () => {
        const s = (await api<Status[]>('GET', `/api/v1/fire/cameras?siteId=${SITE}`, token)).body.find(
          (c) => c.cameraId === cameraId,
        );
        if (s?.detector === 'watching' && s.score !== null) seen.push(s.score);
        return seen.length >= 8;
      },
      45_000,
      1000,
    );
    const after = await detail(raised.id);
    assert.deepEqual(after.alarm, before.alarm, 'the alarm is unchanged');
    assert.deepEqual(after.journal, before.journal, 'nothing journaled');
    assert.equal(after.alarm.state, 'unack');
    assert.equal(after.alarm.confirmedOnCamera, undefined);
  });
});
