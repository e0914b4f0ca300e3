/**
 * Camera credentials stay on the box (review 2026-12, F12 and F18), against a real GStreamer RTSP
 * camera that demands Basic auth, real ffmpeg and a real broker: ffmpeg's command line (readable
 * by every local user in /proc) carries neither the camera's password nor the agent's
 * Authorization header, a failing camera's error reaches the center and the log redacted, and
 * a push goes only to the configured center's ingest path for that camera.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CommandResult } from '@gwanje/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { type MosquittoInstance, startMosquitto, waitFor } from '../../../testkit/index.js';
import { type RtspServer, startRtspServer } from '../../../testkit/rtsp.js';
import { EdgeAgent } from '../../src/agent.js';
import { type IngestServer, isMpegTs, startIngest } from '../helpers/ingest.js';

const CAM_PW = 'S3cret-Cam-Pw';
const DOWN_PW = 'S3cretCamPw';
const AGENT_PW = 'agent-broker-pw-9';

/** Command lines of the ffmpeg processes this test process started (through the agent). */
function ffmpegCommandLines(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm === 'ffmpeg' && ppid === process.pid)
        out.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
    } catch {
      // exited between readdir and read
    }
  }
  return out;
}

let rtsp: RtspServer;
let broker: MosquittoInstance;
let ingest: IngestServer;
let dir: string;
let agent: EdgeAgent;
let center: MqttClient;
const logs: string[] = [];
const events: Array<Record<string, unknown>> = [];
const results = new Map<string, CommandResult>();
let n = 0;

before(async () => {
  rtsp = await startRtspServer({ path: 'main', auth: { method: 'basic', username: 'camuser', password: CAM_PW } });
  broker = await startMosquitto();
  ingest = await startIngest();
  dir = mkdtempSync(join(tmpdir(), 'gwanje-cam-secrets-'));
  const camUrl = rtsp.url.replace('rtsp://', `rtsp://camuser:${CAM_PW}@`);
  agent = new EdgeAgent(
    {
      siteId: 'testsite',
      agentId: 'sec-agent',
      central: { url: broker.url, username: 'sec-agent', password: AGENT_PW, videoUrl: ingest.base },
      field: { url: broker.url },
      dataDir: dir,
      cameras: [
        // relay: ffmpeg (issue 20 made the in-process relay the default): what F12 is about is
        // ffmpeg's command line and its error text.
        { cameraId: 'cam-auth', rtsp: camUrl, relay: 'ffmpeg' },
        { cameraId: 'cam-down', rtsp: `rtsp://admin:${DOWN_PW}@127.0.0.1:9/stream`, relay: 'ffmpeg' },
      ],
    },
    { log: pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) }) },
  );
  center = await mqtt.connectAsync(broker.url, { clientId: 'test-center-sec', protocolVersion: 4 });
  let online = false;
  center.on('message', (topic, p) => {
    const v = JSON.parse(p.toString());
    if (topic.endsWith('/status')) online = v.state === 'online';
    else if (topic.endsWith('/cmd/result')) results.set(v.id, v);
    else if (topic.endsWith('/events')) events.push(v);
  });
  await center.subscribeAsync('gwanje/v1/testsite/sec-agent/#', { qos: 1 });
  await agent.start();
  await waitFor(() => online, 10_000);
});

after(async () => {
  await agent?.stop();
  await center?.endAsync();
  await ingest?.close();
  await rtsp?.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function cmd(action: string, args: Record<string, unknown>): Promise<CommandResult> {
  const id = `c${++n}`;
  await center.publishAsync('gwanje/v1/testsite/sec-agent/cmd', JSON.stringify({ id, action, args }), { qos: 1 });
  await waitFor(() => results.has(id), 10_000);
  return results.get(id) as CommandResult;
}

test("F12: an authenticated camera is pushed with no credential on ffmpeg's command line", {
  timeout: 30_000,
}, async () => {
  assert.equal(
    (await cmd('stream.start', { cameraId: 'cam-auth', url: `${ingest.base}/video/ingest/cam-auth` })).ok,
    true,
  );
  await waitFor(() => (ingest.pushes.find((p) => p.cameraId === 'cam-auth')?.size ?? 0) > 188 * 300, 15_000);
  const push = ingest.pushes.find((p) => p.cameraId === 'cam-auth');
  assert.ok(push && isMpegTs(Buffer.concat(push.bytes)), 'the camera accepted the credentials: MPEG-TS arrives');
  const basic = Buffer.from(`sec-agent:${AGENT_PW}`).toString('base64');
  assert.equal(push.authorization, `Basic ${basic}`);
  const lines = ffmpegCommandLines();
  assert.ok(lines.length >= 1, 'an ffmpeg runs the push');
  for (const line of lines) {
    for (const secret of [CAM_PW, 'camuser', AGENT_PW, basic, 'Authorization', 'rtsp://'])
      assert.ok(!line.includes(secret), `ffmpeg argv shows "${secret}": ${line}`);
  }
  assert.equal((await cmd('stream.stop', { cameraId: 'cam-auth' })).ok, true);
});

test('F12: a failing camera is reported and logged without its password', { timeout: 30_000 }, async () => {
  assert.equal(
    (await cmd('stream.start', { cameraId: 'cam-down', url: `${ingest.base}/video/ingest/cam-down` })).ok,
    true,
  );
  await waitFor(() => events.some((e) => e.sourceId === 'cam-down' && e.event === 'stream-lost'), 15_000);
  const lost = events.find((e) => e.sourceId === 'cam-down' && e.event === 'stream-lost') as { detail: string };
  assert.match(lost.detail, /Connection refused/, 'the reason still reaches the center');
  assert.match(lost.detail, /rtsp:\/\/\*\*\*@127\.0\.0\.1:9\/stream/);
  assert.ok(!JSON.stringify(events).includes(DOWN_PW), JSON.stringify(events));
  const text = logs.join('');
  assert.match(text, /camera dropped, retrying/);
  for (const secret of [DOWN_PW, CAM_PW, AGENT_PW]) assert.ok(!text.includes(secret), `the log shows ${secret}`);
  await cmd('stream.stop', { cameraId: 'cam-down' });
});

test("F18: video is pushed only to the configured center, on the camera's own ingest path", async () => {
  let foreignHits = 0;
  const foreign = createServer((req, res) => {
    foreignHits++;
    req.resume();
    res.end();
  });
  await new Promise<void>((r) => foreign.listen(0, '127.0.0.1', r));
  const other = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
  try {
    const pushesBefore = ingest.pushes.length;
    for (const url of [
      `${other}/video/ingest/cam-auth`,
      `${ingest.base}/video/ingest/cam-down`,
      `${ingest.base}/video/ingest/cam-auth?x=1`,
      `${ingest.base.replace('http://', 'http://u:p@')}/video/ingest/cam-auth`,
      'file:///tmp/x.ts',
      '-report',
    ]) {
      const r = await cmd('stream.start', { cameraId: 'cam-auth', url });
      assert.equal(r.ok, false, url);
      assert.match(
        r.error ?? '',
        /stream\.start url must be http:\/\/127\.0\.0\.1:\d+\/video\/ingest\/cam-auth|not a valid URL/,
        url,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(foreignHits, 0, 'nothing reached the foreign server');
    assert.equal(ingest.pushes.length, pushesBefore, 'no push started');
    assert.equal(ffmpegCommandLines().length, 0, 'no ffmpeg started');
  } finally {
    foreign.close();
  }
});
