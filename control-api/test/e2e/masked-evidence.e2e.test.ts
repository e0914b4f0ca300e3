/**
 * Issue 21 (PIPA) on the whole center as `npm start` runs it (control-api/src/main.ts, its own
 * process): a direct camera (a real RTSP server, GStreamer) shows a photo of people shipped in the
 * @vladmandic/face-api package; a gas leak at its site raises gas-high, the center records the
 * alarm's snapshot and MP4 clip from that camera, and over HTTP the evidence bundle is fetched as
 * is and with `?mask=faces`. Checked with face-api's SSD MobileNet at a normal confidence (0.5):
 * the plain bundle's snapshot and every clip sample show faces; the masked bundle's show none, and
 * its clip is still H.264 that ffprobe reads.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AgentCredentials } from '@gwanje/protocol';
import mqtt from 'mqtt';
import pino from 'pino';
import { jsonApi, waitFor } from '../../../testkit/index.js';
import { type RtspServer, startRtspServer } from '../../../testkit/rtsp.js';
import { FfmpegFaceMasker } from '../../src/incident/face-mask.js';
import { unzip } from '../incident/zip.js';
import { type CenterProcess, spawnCenter } from '../support/center.js';

const PHOTO = join(
  dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')),
  'demo/sample2.jpg',
);
const PASSWORD = 'masked-Evidence-r00m-7!';
const work = mkdtempSync(join(tmpdir(), 'gwanje-masked-e2e-'));
let camera: RtspServer;
let center: CenterProcess;
const masker = new FfmpegFaceMasker({ ffmpeg: 'ffmpeg', log: pino({ level: 'silent' }) });
const api = jsonApi(() => center.base);

before(async () => {
  // The photo as a 720p still, streamed as a live H.264 camera (10 fps, a keyframe every second).
  const still = join(work, 'people.jpg');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', PHOTO, '-vf', 'scale=-2:720', still]);
  camera = await startRtspServer({
    path: 'people',
    launch:
      `( filesrc location=${still} ! jpegdec ! imagefreeze is-live=true ! videoconvert ` +
      '! video/x-raw,format=I420,framerate=10/1 ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=10 ' +
      '! rtph264pay name=pay0 pt=96 config-interval=1 )',
  });
  center = await spawnCenter({ password: PASSWORD, dataDir: join(work, 'data') });
});

after(async () => {
  await center?.proc.stop();
  await camera?.stop();
  await masker.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Faces SSD MobileNet finds at confidence 0.5: per image, or per sample of a clip. */
async function faces(name: string, bytes: Buffer): Promise<number[]> {
  const file = join(work, name);
  writeFileSync(file, bytes);
  const samples = await masker.detect(file, name.endsWith('.jpg'), ['ssd'], 0.5);
  return samples.map((s) => s.boxes.length);
}

/**
 * The bundle over plain node:http: masking a 40 s clip on a loaded 2-core machine can take longer
 * than fetch's 300 s header timeout (the time is printed as a test diagnostic).
 */
function bundle(token: string, alarmId: string, q: string): Promise<{ files: Map<string, Buffer>; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = httpGet(
      `${center.base}/api/v1/alarms/${alarmId}/evidence${q}`,
      { headers: { authorization: `Bearer ${token}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          if (res.statusCode !== 200) return reject(new Error(`evidence${q}: ${res.statusCode} ${body.toString()}`));
          unzip(body).then((files) => resolve({ files, ms: Date.now() - started }), reject);
        });
      },
    );
    req.on('error', reject);
  });
}

test('a masked evidence bundle from the running center shows no face where the camera showed people', {
  timeout: 1_800_000,
}, async (t) => {
  const login = await api<{ token: string }>('POST', '/api/v1/auth/login', undefined, {
    username: 'admin',
    password: PASSWORD,
  });
  assert.equal(login.status, 200);
  const token = login.body.token;
  const cam = await api('POST', '/api/v1/cameras', token, {
    cameraId: 'suwon-lobby',
    siteId: 'suwon',
    rtspUrl: camera.url,
  });
  assert.equal(cam.status, 201, JSON.stringify(cam.body));
  const creds = await api<AgentCredentials>('POST', '/api/v1/agents', token, { agentId: 'mask-e2e', siteId: 'suwon' });
  assert.equal(creds.status, 201, JSON.stringify(creds.body));
  const agent = await mqtt.connectAsync(creds.body.mqtt.url, {
    username: creds.body.mqtt.username,
    password: creds.body.mqtt.password,
    clientId: creds.body.mqtt.clientId ?? 'mask-e2e',
    protocolVersion: 4,
  });
  let alarmId = '';
  try {
    let seq = 0;
    const gas = (value: number, ts: number) =>
      agent.publishAsync(
        'gwanje/v1/suwon/mask-e2e/telemetry',
        JSON.stringify({
          agentId: 'mask-e2e',
          seq: ++seq,
          readings: [{ sensorId: 'mask-e2e-ch4', metric: 'gas', gas: 'CH4', value, unit: '%LEL', ts, quality: 'good' }],
        }),
        { qos: 1 },
      );
    const t0 = Date.now();
    await gas(3, t0 - 5000);
    await gas(60, t0);
    await gas(61, t0 + 1100);
    await waitFor(async () => {
      const list = await api<Array<{ id: string; sourceId: string; type: string; cameras: string[] }>>(
        'GET',
        '/api/v1/alarms?siteId=suwon',
        token,
      );
      const a = list.body.find((x) => x.sourceId === 'mask-e2e-ch4' && x.type === 'gas-high');
      alarmId = a?.id ?? '';
      return !!a;
    }, 30_000);
  } finally {
    await agent.endAsync();
  }
  // The clip runs to 30 s after the raise; snapshot and clip are then listed.
  await waitFor(async () => {
    const clips = await api<Array<{ contentType: string }>>('GET', `/api/v1/alarms/${alarmId}/clips`, token);
    const types = new Set(clips.body.map((c) => c.contentType));
    return types.has('video/mp4') && types.has('image/jpeg');
  }, 120_000).catch((err: Error) => assert.fail(`no clip and snapshot: ${err.message}\n${center.proc.output()}`));

  const { files: plain, ms: plainMs } = await bundle(token, alarmId, '');
  const { files: masked, ms: maskedMs } = await bundle(token, alarmId, '?mask=faces');
  t.diagnostic(`evidence bundle: plain ${plainMs} ms, masked ${maskedMs} ms (machine shared with others)`);
  const media = (files: Map<string, Buffer>, ext: string) => {
    const name = [...files.keys()].find((f) => f.startsWith('media/') && f.endsWith(ext));
    assert.ok(name, `no ${ext} in ${[...files.keys()].join(' ')}`);
    return files.get(name) as Buffer;
  };

  const snapBefore = await faces('plain.jpg', media(plain, '.jpg'));
  assert.ok(snapBefore[0] >= 2, `the camera shows people (${snapBefore[0]} faces in the plain snapshot)`);
  assert.deepEqual(await faces('masked.jpg', media(masked, '.jpg')), [0]);

  const clipBefore = await faces('plain.mp4', media(plain, '.mp4'));
  assert.ok(clipBefore.length >= 40, `${clipBefore.length} samples of a clip that lasts 10+ s`);
  assert.ok(
    clipBefore.every((n) => n >= 2),
    `every sample of the plain clip shows people: ${clipBefore.join(',')}`,
  );
  const clipAfter = await faces('masked.mp4', media(masked, '.mp4'));
  assert.equal(clipAfter.length, clipBefore.length, 'the masked clip is as long as the plain one');
  assert.deepEqual(
    clipAfter,
    clipAfter.map(() => 0),
    'no sample of the masked clip shows a face',
  );
  const probe = JSON.parse(
    execFileSync('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_name',
      '-of',
      'json',
      join(work, 'masked.mp4'),
    ]).toString(),
  );
  assert.equal(probe.streams[0].codec_name, 'h264');
});
