/**
 * Issue 20: a password-protected ONVIF camera reaches a viewer at the center, relayed by the agent
 * in process (no ffmpeg on the box). The ONVIF device (testkit simulator) wants WS-Security
 * credentials and has no event service; its RTSP stream is a real GStreamer RTSP server that wants
 * Digest credentials, which GetStreamUri does not carry (ONVIF Core 5.12.1: the agent puts the
 * device's own on it). A viewer at the center's gateway gets H.264 that ffprobe reads; the agent runs
 * no ffmpeg; the device's event service is never polled. A second camera with a wrong password is a
 * camera fault (stream-lost "camera refused the credentials (401)", retried), and never opens a push.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import WebSocket from 'ws';
import { centerApi } from '../../../control-api/test/support/agents.js';
import { startTestCenter } from '../../../control-api/test/support/center.js';
import { waitFor } from '../../../testkit/index.js';
import { startOnvifSimulator } from '../../../testkit/onvif-sim/index.js';
import { startRtspServer } from '../../../testkit/rtsp.js';
import { EdgeAgent } from '../../src/agent.js';

const ADMIN_PW = 'Native-Push-Test-7';

// Un-skipped (issue 20). It was skipped as "the GStreamer camera goes away ~14 s after PLAY"; the
// camera never did. ffprobe's csv output lists an MPEG-TS stream twice (under its program and in
// the stream list), so the old strict equality on 'h264,640,360' failed ~14 s in, and this test's
// own teardown then stopped the camera before the agent: the agent's "connection closed by the
// camera" and ECONNREFUSED lines were the teardown, not the cause. The agent's native client keeps
// a Digest session alive past GStreamer's 60 s session timeout (GET_PARAMETER every timeout/2;
// checked by hand for 80 s on 2026-12-02, not a timed test).
test('password-protected ONVIF camera -> agent (no ffmpeg) -> center -> viewer', { timeout: 120_000 }, async (t) => {
  const rtsp = await startRtspServer({
    path: 'main',
    auth: { method: 'digest', username: 'admin', password: 'cam:Secret' },
  });
  t.after(() => rtsp.stop());
  const sim = await startOnvifSimulator({
    rtspUrl: rtsp.url,
    username: 'admin',
    password: 'cam:Secret',
    events: false,
  });
  t.after(() => sim.stop());
  const center = await startTestCenter({ password: ADMIN_PW });
  t.after(() => center.stop());
  const { api, login, provision } = centerApi(() => center.base);
  const token = await login('admin', ADMIN_PW);
  const issued = await provision(token, 'pyeongtaek-gw-1', 'pyeongtaek');
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-native-push-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const events: Array<Record<string, unknown>> = [];
  const agent = new EdgeAgent(
    {
      siteId: 'pyeongtaek',
      agentId: issued.agentId,
      central: {
        url: issued.mqtt.url,
        username: issued.mqtt.username,
        password: issued.mqtt.password,
        videoUrl: center.base,
      },
      field: { url: issued.mqtt.url },
      dataDir: dir,
      cameras: [
        { cameraId: 'pt-gate', onvif: { url: sim.url, username: 'admin', password: 'cam:Secret' } },
        { cameraId: 'pt-wrong', rtsp: rtsp.url.replace('rtsp://', 'rtsp://admin:not-it@') },
      ],
    },
    { log: pino({ level: process.env.AGENT_LOG ?? 'silent' }, pino.destination(2)) },
  );
  await agent.start();
  t.after(() => agent.stop());

  await waitFor(async () => {
    const cams = await api<{ cameraId: string; profiles: unknown[] }[]>(
      'GET',
      '/api/v1/cameras?siteId=pyeongtaek',
      token,
    );
    return (cams.body.find((c) => c.cameraId === 'pt-gate')?.profiles.length ?? 0) > 0;
  }, 30_000);

  const bytes: Buffer[] = [];
  const ws = new WebSocket(`${center.base.replace(/^http/, 'ws')}/video/pt-gate?token=${token}`);
  ws.on('message', (m: Buffer) => bytes.push(Buffer.from(m)));
  t.after(() => ws.close());
  await waitFor(() => bytes.reduce((n, b) => n + b.length, 0) > 150_000, 45_000);
  const file = join(dir, 'viewer.ts');
  writeFileSync(file, Buffer.concat(bytes));
  const probe = execFileSync('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=codec_name,width,height',
    '-of',
    'json',
    file,
  ]).toString();
  // MPEG-TS: ffprobe lists the stream once per program too; the stream list is what counts.
  const [stream] = (JSON.parse(probe) as { streams: Array<{ codec_name: string; width: number; height: number }> })
    .streams;
  assert.deepEqual([stream.codec_name, stream.width, stream.height], ['h264', 640, 360]);
  const cameras = (agent as unknown as { cameras: { pushPids(): number[] } }).cameras;
  assert.deepEqual(cameras.pushPids(), [], 'relayed in process: no ffmpeg child on the agent');
  assert.equal(sim.calls.includes('CreatePullPointSubscription'), false, 'no event service: not polled');

  // The wrong password: the camera's 401 is reported as a camera fault and retried; no push opens.
  const wrong = new WebSocket(`${center.base.replace(/^http/, 'ws')}/video/pt-wrong?token=${token}`);
  wrong.on('error', () => undefined);
  t.after(() => wrong.close());
  const lost = await waitFor(async () => {
    const r = await api<{ event?: { event?: string; sourceId?: string; detail?: string } }[]>(
      'GET',
      '/api/v1/agent-events?siteId=pyeongtaek&type=camera-event',
      token,
    );
    return r.body.filter((e) => e.event?.sourceId === 'pt-wrong' && e.event.event === 'stream-lost').length >= 2;
  }, 30_000);
  void lost;
  const r = await api<{ event?: { sourceId?: string; detail?: string } }[]>(
    'GET',
    '/api/v1/agent-events?siteId=pyeongtaek&type=camera-event',
    token,
  );
  const detail = r.body.find((e) => e.event?.sourceId === 'pt-wrong')?.event?.detail ?? '';
  assert.match(detail, /camera refused the credentials \(401\)/);
  assert.doesNotMatch(JSON.stringify(r.body), /not-it|cam:Secret/);
  void events;
});
