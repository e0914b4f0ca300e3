/**
 * Cameras against a real GStreamer RTSP server and the ONVIF simulator (testkit): inventory on
 * `cameras`, PTZ by `cmd`, PullPoint events as camera-event, and `stream.start` pushing the
 * RTSP H.264 copied into MPEG-TS to an HTTP ingest, retried when the camera drops.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CameraInventory, CommandResult } from '@gwanje/protocol';
import mqtt from 'mqtt';
import pino from 'pino';
import { startMosquitto, waitFor } from '../../../testkit/index.js';
import { startOnvifSimulator } from '../../../testkit/onvif-sim/index.js';
import { startRtspServer } from '../../../testkit/rtsp.js';
import { EdgeAgent } from '../../src/agent.js';
import { isMpegTs, startIngest } from '../helpers/ingest.js';

test('ONVIF camera: inventory, PTZ, events, H.264 push as MPEG-TS, retry after a drop', {
  timeout: 60_000,
}, async (t) => {
  const rtsp = await startRtspServer({ path: 'main' });
  const sim = await startOnvifSimulator({ rtspUrl: rtsp.url, username: 'admin', password: 'cam-secret' });
  const broker = await startMosquitto();
  const ingest = await startIngest();
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-cam-'));
  let rtspNow = rtsp;
  t.after(async () => {
    await ingest.close();
    await sim.stop();
    await rtspNow.stop();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const agent = new EdgeAgent(
    {
      siteId: 'testsite',
      agentId: 'cam-agent',
      central: { url: broker.url, username: 'cam-agent', password: 'agent-pw', videoUrl: ingest.base },
      field: { url: broker.url },
      dataDir: dir,
      cameras: [
        { cameraId: 'cam-1', name: 'Gate PTZ', onvif: { url: sim.url, username: 'admin', password: 'cam-secret' } },
      ],
    },
    { log: pino({ level: 'silent' }) },
  );
  const center = await mqtt.connectAsync(broker.url, { clientId: 'test-center-cam', protocolVersion: 4 });
  t.after(() => center.endAsync());
  let inventory: CameraInventory | undefined;
  const results = new Map<string, CommandResult>();
  const events: Array<Record<string, unknown>> = [];
  center.on('message', (topic, p) => {
    const v = JSON.parse(p.toString());
    if (topic.endsWith('/cameras')) inventory = v;
    else if (topic.endsWith('/cmd/result')) results.set(v.id, v);
    else if (topic.endsWith('/events')) events.push(v);
  });
  await center.subscribeAsync('gwanje/v1/testsite/cam-agent/#', { qos: 1 });
  await agent.start();
  t.after(() => agent.stop());

  await waitFor(() => (inventory?.cameras[0]?.profiles.length ?? 0) > 0, 15_000);
  assert.deepEqual(inventory, {
    cameras: [
      {
        cameraId: 'cam-1',
        name: 'Gate PTZ',
        ptz: true,
        profiles: [{ token: 'profile_main', width: 640, height: 360, codec: 'H264' }],
      },
    ],
  });

  let n = 0;
  const cmd = async (action: string, args: Record<string, unknown>): Promise<CommandResult> => {
    const id = `c${++n}`;
    await center.publishAsync('gwanje/v1/testsite/cam-agent/cmd', JSON.stringify({ id, action, args }), { qos: 1 });
    await waitFor(() => results.has(id), 10_000);
    return results.get(id) as CommandResult;
  };

  assert.deepEqual(await cmd('ptz.move', { cameraId: 'cam-1', x: 0.5, y: -0.25 }), { id: 'c1', ok: true });
  assert.deepEqual(sim.ptz, { moving: true, velocity: { x: 0.5, y: -0.25, zoom: 0 }, moves: 1, stops: 0 });
  assert.equal((await cmd('ptz.stop', { cameraId: 'cam-1' })).ok, true);
  assert.equal(sim.ptz.moving, false);
  assert.equal((await cmd('ptz.preset', { cameraId: 'cam-1', preset: 'preset-tank' })).ok, true);
  assert.equal(sim.ptz.preset, 'preset-tank');
  assert.deepEqual((await cmd('ptz.preset', { cameraId: 'cam-1', list: true })).data, {
    presets: [
      { name: 'Gate', token: 'preset-gate' },
      { name: 'Tank farm', token: 'preset-tank' },
    ],
  });
  const bad = await cmd('ptz.preset', { cameraId: 'cam-1', preset: 'nowhere' });
  assert.equal(bad.ok, false);
  assert.match(bad.error ?? '', /no preset nowhere/);
  // F19: a preset token is a plain token; markup never reaches the camera's SOAP body.
  const gotos = sim.calls.filter((c) => c === 'GotoPreset').length;
  const injected = await cmd('ptz.preset', {
    cameraId: 'cam-1',
    preset: 'preset-gate</PresetToken><Speed><PanTilt x="1" y="1"/></Speed><PresetToken>preset-gate',
  });
  assert.equal(injected.ok, false);
  assert.match(injected.error ?? '', /preset must match/);
  assert.equal(sim.calls.filter((c) => c === 'GotoPreset').length, gotos, 'no GotoPreset was sent');
  assert.equal(sim.ptz.preset, 'preset-tank');
  assert.equal((await cmd('ptz.move', { cameraId: 'cam-9' })).error, 'cameras: unknown camera cam-9');

  sim.emitEvent('tns1:VideoSource/MotionAlarm', { State: 'true' });
  await waitFor(() => events.some((e) => e.type === 'camera-event' && e.event === 'onvif'), 10_000);
  const motion = events.find((e) => e.event === 'onvif') as Record<string, unknown>;
  assert.equal(motion.sourceId, 'cam-1');
  assert.equal(motion.topic, 'tns1:VideoSource/MotionAlarm');

  // Video push: RTSP pulled, H.264 copied, MPEG-TS POSTed with the agent's Basic credentials.
  const url = `${ingest.base}/video/ingest/cam-1`;
  assert.equal((await cmd('stream.start', { cameraId: 'cam-1', url })).ok, true);
  await waitFor(() => (ingest.pushes[0]?.size ?? 0) > 200_000 / 8, 15_000);
  const push = ingest.pushes[0];
  assert.equal(push.authorization, `Basic ${Buffer.from('cam-agent:agent-pw').toString('base64')}`);
  assert.equal(push.transferEncoding, 'chunked');
  const ts = Buffer.concat(push.bytes);
  assert.ok(isMpegTs(ts), 'sync byte 0x47 every 188 bytes');
  const file = join(dir, 'push.ts');
  writeFileSync(file, ts);
  const probe = JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file]).toString(),
  ) as { streams: Array<{ codec_name: string; width: number; height: number }> };
  assert.deepEqual(
    probe.streams.map((s) => [s.codec_name, s.width, s.height]),
    [['h264', 640, 360]],
    'H.264 from the camera, not re-encoded',
  );

  // The camera drops: reported, retried with backoff, and the push resumes when it is back.
  const port = rtsp.port;
  await rtspNow.stop();
  await waitFor(() => events.some((e) => e.event === 'stream-lost'), 15_000);
  rtspNow = await startRtspServer({ path: 'main', port });
  await waitFor(() => ingest.pushes.length >= 2 && ingest.pushes[ingest.pushes.length - 1].size > 20_000, 20_000);

  assert.deepEqual((await cmd('stream.stop', { cameraId: 'cam-1' })).data, { cameraId: 'cam-1', stopped: true });
  await waitFor(() => ingest.pushes.every((p) => p.ended), 5000);
});

test('virtual camera (testPattern) pushes MPEG-TS; a refused ingest ends the push', { timeout: 40_000 }, async (t) => {
  const broker = await startMosquitto();
  const ingest = await startIngest();
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-cam-'));
  t.after(async () => {
    await ingest.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const agent = new EdgeAgent(
    {
      siteId: 'testsite',
      agentId: 'vcam-agent',
      central: { url: broker.url, username: 'vcam-agent', password: 'pw2', videoUrl: ingest.base },
      field: { url: broker.url },
      dataDir: dir,
      cameras: [{ cameraId: 'vcam-1', testPattern: true }],
    },
    { log: pino({ level: 'silent' }) },
  );
  const center = await mqtt.connectAsync(broker.url, { clientId: 'test-center-vcam', protocolVersion: 4 });
  t.after(() => center.endAsync());
  const events: Array<Record<string, unknown>> = [];
  const results: CommandResult[] = [];
  let online = false;
  center.on('message', (topic, p) => {
    if (topic.endsWith('/status')) online = JSON.parse(p.toString()).state === 'online';
    if (topic.endsWith('/events')) events.push(JSON.parse(p.toString()));
    if (topic.endsWith('/cmd/result')) results.push(JSON.parse(p.toString()));
  });
  await center.subscribeAsync('gwanje/v1/testsite/vcam-agent/#', { qos: 1 });
  await agent.start();
  t.after(() => agent.stop());
  // Commands are not retained: send them once the agent is online (and so subscribed).
  await waitFor(() => online, 10_000);
  const send = (id: string, action: string, args: object) =>
    center.publishAsync('gwanje/v1/testsite/vcam-agent/cmd', JSON.stringify({ id, action, args }), { qos: 1 });

  await send('s1', 'stream.start', { cameraId: 'vcam-1', url: `${ingest.base}/video/ingest/vcam-1` });
  await waitFor(() => (ingest.pushes[0]?.size ?? 0) > 188 * 200, 15_000).catch((err: Error) => {
    throw new Error(`${err.message}: ${JSON.stringify({ results, events, pushes: ingest.pushes.map((p) => p.size) })}`);
  });
  assert.ok(isMpegTs(Buffer.concat(ingest.pushes[0].bytes), 200));
  await send('s2', 'stream.stop', { cameraId: 'vcam-1' });
  await waitFor(() => ingest.pushes[0].ended, 5000);

  ingest.status = 403;
  await send('s3', 'stream.start', { cameraId: 'vcam-1', url: `${ingest.base}/video/ingest/vcam-1` });
  await waitFor(() => events.some((e) => e.event === 'stream-ended'), 15_000);
  assert.equal(
    events.some((e) => e.event === 'stream-lost'),
    false,
    'a refused ingest is not retried',
  );
  // Commands run concurrently: s2 (stop) answers once ffmpeg has exited, which may be after s3.
  assert.deepEqual(results.map((r) => [r.id, r.ok]).sort(), [
    ['s1', true],
    ['s2', true],
    ['s3', true],
  ]);
});

test('WS-Discovery finds an unconfigured ONVIF camera and adds it to the inventory', { timeout: 30_000 }, async (t) => {
  const sim = await startOnvifSimulator({ rtspUrl: 'rtsp://127.0.0.1:9/none', discovery: true, ptz: false });
  const broker = await startMosquitto();
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-cam-'));
  t.after(async () => {
    await sim.stop();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const agent = new EdgeAgent(
    {
      siteId: 'testsite',
      agentId: 'disc-agent',
      central: { url: broker.url, username: 'disc-agent', password: 'pw' },
      field: { url: broker.url },
      dataDir: dir,
      discovery: { onvif: true },
    },
    { log: pino({ level: 'silent' }) },
  );
  const center = await mqtt.connectAsync(broker.url, { clientId: 'test-center-disc', protocolVersion: 4 });
  t.after(() => center.endAsync());
  let inventory: CameraInventory | undefined;
  center.on('message', (_topic, p) => {
    inventory = JSON.parse(p.toString());
  });
  await center.subscribeAsync('gwanje/v1/testsite/disc-agent/cameras', { qos: 1 });
  await agent.start();
  t.after(() => agent.stop());
  const id = `disc-agent-onvif-127-0-0-1-${sim.port}`;
  await waitFor(() => inventory?.cameras.some((c) => c.cameraId === id && c.profiles.length === 1) ?? false, 20_000);
  const cam = inventory?.cameras.find((c) => c.cameraId === id);
  assert.deepEqual(cam, {
    cameraId: id,
    name: 'Gwanje GwanjeSim PTZ-1',
    ptz: false,
    profiles: [{ token: 'profile_main', width: 640, height: 360, codec: 'H264' }],
  });
});
