/**
 * Issue 19 "Video across instances", two center processes on real PostgreSQL, Mosquitto (dynsec),
 * InfluxDB and Redis, and an agent that answers `stream.start` as the real one does (an H.264
 * MPEG-TS push from ffmpeg, HTTP Basic with its issued credentials). A viewer on the instance
 * that does not own the camera's site gets live video; so does one on the owner; the camera has
 * exactly one upstream the whole time, and every push request names the owner's URL.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import type { ClusterView } from '@gwanje/protocol';
import type { MqttClient } from 'mqtt';
import WebSocket from 'ws';
import { jsonApi, waitFor } from '../../../testkit/index.js';
import { centerApi, connectAgent, type IssuedAgent } from '../support/agents.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';

const PASSWORD = 'cluster-Video-r00m-7!';
const CAM = 'suwon-cl-cam-1';
let cluster: TestCluster;
let token: string;
let agent: IssuedAgent;
let mq: MqttClient;
const pushes = { active: 0, max: 0, urls: [] as string[], procs: new Set<ChildProcess>() };
const viewers: WebSocket[] = [];

/** The agent's side of `stream.start`: ffmpeg's test pattern as H.264 MPEG-TS, POSTed to the given URL. */
function startPush(url: string): ChildProcess {
  const ff = spawn('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-f', 'mpegts', 'pipe:1'],
  ]);
  const basic = Buffer.from(`${agent.agentId}:${agent.mqtt.password}`).toString('base64');
  const req = request(url, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'video/mp2t' },
  });
  pushes.active += 1;
  pushes.max = Math.max(pushes.max, pushes.active);
  pushes.procs.add(ff);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    pushes.active -= 1;
    pushes.procs.delete(ff);
    ff.kill('SIGKILL');
  };
  req.on('error', end);
  req.on('response', (res) => {
    res.resume();
    res.on('end', end);
  });
  ff.stdout.pipe(req);
  ff.on('exit', end);
  return ff;
}

before(async () => {
  cluster = await startTestCluster({ password: PASSWORD, instances: 2 });
  const c = centerApi(() => cluster.centers[0].base);
  token = await c.login('admin', PASSWORD);
  agent = await c.provision(token, 'cl-video-agent', 'suwon');
  const running = new Map<string, ChildProcess>();
  mq = await connectAgent(agent, {}, (topic, payload) => {
    if (!topic.endsWith('/cmd')) return;
    const cmd = JSON.parse(payload.toString()) as { action: string; args: { cameraId: string; url?: string } };
    if (cmd.args.cameraId !== CAM) return;
    if (cmd.action === 'stream.start' && cmd.args.url) {
      pushes.urls.push(cmd.args.url);
      running.get(CAM)?.kill('SIGKILL'); // a new target replaces the old push, as the agent does
      running.set(CAM, startPush(cmd.args.url));
    } else if (cmd.action === 'stream.stop') {
      running.get(CAM)?.kill('SIGKILL');
      running.delete(CAM);
    }
  });
  await mq.subscribeAsync(`gwanje/v1/suwon/${agent.agentId}/cmd`, { qos: 1 });
  const profiles = [{ token: 'main', width: 320, height: 240, codec: 'H264' }];
  await mq.publishAsync(
    `gwanje/v1/suwon/${agent.agentId}/cameras`,
    JSON.stringify({ cameras: [{ cameraId: CAM, name: 'gate', ptz: false, profiles }] }),
    { qos: 1, retain: true },
  );
  await waitFor(
    async () =>
      (await c.api<Array<{ cameraId: string }>>('GET', '/api/v1/cameras', token)).body.some((x) => x.cameraId === CAM),
    15_000,
  );
});

after(async () => {
  for (const v of viewers) v.terminate();
  for (const p of pushes.procs) p.kill('SIGKILL');
  await mq?.endAsync();
  await cluster?.stop();
});

/** Opens `/video/{CAM}` on `base` with a ticket from that instance; resolves with a byte counter. */
async function watch(base: string): Promise<{ bytes: () => number; syncOk: () => boolean }> {
  const t = await jsonApi(() => base)<{ ticket: string }>('POST', '/api/v1/video/tickets', token, { cameraId: CAM });
  assert.equal(t.status, 200, JSON.stringify(t.body));
  const ws = new WebSocket(`${base.replace('http', 'ws')}/video/${CAM}?ticket=${encodeURIComponent(t.body.ticket)}`);
  viewers.push(ws);
  let bytes = 0;
  let sync = true;
  ws.on('message', (data: Buffer) => {
    bytes += data.length;
    if (data[0] !== 0x47) sync = false;
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { bytes: () => bytes, syncOk: () => sync };
}

test('a viewer on the instance that does not own the site gets video; the camera has one upstream, at the owner', async () => {
  const bases = cluster.centers.map((c) => c.base);
  let ownerBase = '';
  await waitFor(async () => {
    const view = await jsonApi(() => bases[0])<ClusterView>('GET', '/api/v1/cluster', token);
    const owner = view.body.instances?.find((i) => i.sites.some((s) => s.siteId === 'suwon'));
    ownerBase = owner?.publicUrl ?? '';
    return view.body.instances?.length === 2 && ownerBase !== '';
  }, 20_000);
  const otherBase = bases.find((b) => b !== ownerBase) as string;
  assert.ok(bases.includes(ownerBase), `the owner advertises one of the instances (${ownerBase})`);

  const far = await watch(otherBase);
  await waitFor(() => far.bytes() > 30_000, 30_000);
  assert.ok(far.syncOk(), 'whole MPEG-TS packets reach the viewer on the non-owner');
  const near = await watch(ownerBase);
  const seen = far.bytes();
  await waitFor(() => near.bytes() > 30_000 && far.bytes() > seen + 30_000, 30_000);

  assert.equal(pushes.max, 1, 'one upstream for the camera in the whole cluster');
  assert.ok(pushes.urls.length >= 1);
  for (const u of pushes.urls) assert.ok(u.startsWith(`${ownerBase}/video/ingest/`), `push goes to the owner: ${u}`);
});

test('kill -9 of the owner: the survivor takes the site, the push follows it and its viewer gets video again', async () => {
  const view = await jsonApi(() => cluster.centers[0].base)<ClusterView>('GET', '/api/v1/cluster', token);
  const ownerBase = view.body.instances.find((i) => i.sites.some((s) => s.siteId === 'suwon'))?.publicUrl as string;
  const victim = cluster.centers.findIndex((c) => c.base === ownerBase);
  const survivor = cluster.centers[1 - victim].base;
  const far = await watch(survivor);
  await waitFor(() => far.bytes() > 30_000, 30_000);
  const startsBefore = pushes.urls.length;

  await cluster.kill9(victim);
  const atKill = far.bytes();
  // Takeover (<= 10 s), the relay's watchdog, a stream.start naming the survivor, the new push.
  await waitFor(() => far.bytes() > atKill + 30_000, 60_000);
  const after = pushes.urls.slice(startsBefore);
  assert.ok(after.length >= 1, 'a new stream.start after the takeover');
  for (const u of after) assert.ok(u.startsWith(`${survivor}/video/ingest/`), `the push follows the owner: ${u}`);
  await waitFor(() => pushes.active === 1, 10_000);
});
