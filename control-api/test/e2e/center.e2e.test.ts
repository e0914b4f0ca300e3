/**
 * THE end-to-end test (issue 3): boots the same process `npm start` runs and drives it through
 * CONTRACT only: login, 31 sites, POST /api/v1/agents, an MQTT client with the issued credentials
 * publishing a 60 %LEL reading, the `alarm` event on Socket.IO /live, ack over REST, and a
 * simulated camera playing over /video. Prints the start-up time and the resident memory of the
 * process (GWANJE_E2E_SIMULATE sets the number of simulated sites, 31 like `npm start` by default).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Alarm } from '@gwanje/protocol';
import mqtt from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { freePort, jsonApi, type Spawned, spawnServer, waitFor } from '../../../testkit/index.js';

const ROOT = new URL('../../..', import.meta.url).pathname;
const PASSWORD = 'e2e-Control-r00m-7!';
const SIMULATE = Number(process.env.GWANJE_E2E_SIMULATE ?? 31);

let proc: Spawned;
let base: string;
let dataDir: string;
let startupMs = 0;
const sockets: Socket[] = [];

const rssMb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : Number.NaN;
};

/** The launcher's child running `script` (the center or the simulator, issue 18). */
const childRunning = (pid: number, script: string): number => {
  const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  const hit = kids.find((k) => readFileSync(`/proc/${k}/cmdline`, 'utf8').includes(script));
  if (hit === undefined) throw new Error(`no child of ${pid} runs ${script}`);
  return hit;
};

const api = jsonApi(() => base);

before(async () => {
  const [httpPort, mqttPort] = await Promise.all([freePort(), freePort()]);
  dataDir = mkdtempSync(join(tmpdir(), 'gwanje-e2e-'));
  base = `http://127.0.0.1:${httpPort}`;
  const t0 = performance.now();
  proc = spawnServer(process.execPath, [join(ROOT, 'scripts/launch.mjs')], {
    ...process.env,
    GWANJE_HTTP_PORT: String(httpPort),
    GWANJE_MQTT_PORT: String(mqttPort),
    GWANJE_HOST: '127.0.0.1',
    GWANJE_DATA_DIR: dataDir,
    GWANJE_ADMIN_PASSWORD: PASSWORD,
    GWANJE_SIMULATE: String(SIMULATE),
    GWANJE_LOG_LEVEL: 'warn',
  });
  const exited = new Promise<never>((_, reject) =>
    proc.proc.once('exit', (code) => reject(new Error(`center exited with ${code}:\n${proc.output()}`))),
  );
  await Promise.race([
    exited,
    waitFor(() => proc.output().includes('Gwanje is running'), 120_000, 50).catch((err) => {
      throw new Error(`center did not start: ${err.message}\n${proc.output()}`);
    }),
  ]);
  exited.catch(() => undefined);
  startupMs = Math.round(performance.now() - t0);
});

after(async () => {
  for (const s of sockets) s.disconnect();
  await proc?.stop('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

test('npm start process: login, 31 sites, provisioned agent, 60 %LEL -> alarm on /live -> ack', async () => {
  assert.equal((await api('GET', '/healthz')).status, 200);
  assert.equal((await api('GET', '/api/v1/sites')).status, 401);

  const login = await api<{ token: string; user: { username: string; role: string } }>(
    'POST',
    '/api/v1/auth/login',
    undefined,
    {
      username: 'admin',
      password: PASSWORD,
    },
  );
  assert.equal(login.status, 200, JSON.stringify(login.body));
  assert.equal(login.body.user.role, 'admin');
  const token = login.body.token;

  const sites = await api<Array<{ siteId: string; name: string }>>('GET', '/api/v1/sites', token);
  assert.equal(sites.body.length, 31);
  assert.ok(sites.body.some((s) => s.siteId === 'suwon'));

  const created = await api<{
    agentId: string;
    siteId: string;
    mqtt: { url: string; username: string; password: string };
  }>('POST', '/api/v1/agents', token, { agentId: 'e2e-agent', siteId: 'gapyeong', name: 'e2e' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.mqtt.username, 'e2e-agent');

  // A console on /live; the alarm must reach it.
  const socket = io(`${base}/live`, { path: '/socket.io', auth: { token }, transports: ['websocket'] });
  sockets.push(socket);
  const alarms: Alarm[] = [];
  socket.on('alarm', (a: Alarm) => alarms.push(a));
  await new Promise<void>((resolve, reject) => {
    socket.once('alarms:snapshot', () => resolve());
    socket.once('connect_error', reject);
  });

  const agent = await mqtt.connectAsync(created.body.mqtt.url, {
    protocolVersion: 4,
    username: created.body.mqtt.username,
    password: created.body.mqtt.password,
    clientId: 'e2e-agent',
  });
  const ts = Date.now();
  await agent.publishAsync(
    'gwanje/v1/gapyeong/e2e-agent/telemetry',
    JSON.stringify({
      agentId: 'e2e-agent',
      seq: 1,
      readings: [
        { sensorId: 'gapyeong-e2e-ch4', metric: 'gas', gas: 'CH4', value: 60, unit: '%LEL', ts, quality: 'good' },
      ],
    }),
    { qos: 1 },
  );
  await waitFor(() => alarms.some((a) => a.sourceId === 'gapyeong-e2e-ch4' && a.type === 'gas-high'), 15_000);
  const raised = alarms.find((a) => a.sourceId === 'gapyeong-e2e-ch4' && a.type === 'gas-high') as Alarm;
  assert.equal(raised.siteId, 'gapyeong');
  assert.equal(raised.priority, 1);
  assert.equal(raised.state, 'unack');
  assert.equal(raised.value, 60);
  await agent.endAsync();

  const ack = await api<Alarm>('POST', `/api/v1/alarms/${raised.id}/ack`, token, { comment: 'e2e: seen' });
  assert.equal(ack.status, 200, JSON.stringify(ack.body));
  await waitFor(() => alarms.some((a) => a.id === raised.id && a.state === 'acked'), 5_000);
  const listed = await api<Alarm[]>('GET', '/api/v1/alarms?siteId=gapyeong', token);
  assert.equal(listed.body.find((a) => a.id === raised.id)?.state, 'acked');
  assert.equal(listed.body.find((a) => a.id === raised.id)?.ackedBy, 'admin');

  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, /gwanje_alarms_raised_total\{type="gas-high"\} [1-9]/);
  assert.match(metrics, /gwanje_alarm_latency_seconds_count [1-9]/);

  // A simulated site's virtual camera plays through the gateway: MPEG-TS packets (sync byte 0x47).
  await waitFor(async () => (await api<unknown[]>('GET', '/api/v1/cameras', token)).body.length >= SIMULATE, 15_000);
  const cameras = await api<Array<{ cameraId: string }>>('GET', '/api/v1/cameras', token);
  const cameraId = cameras.body[0].cameraId;
  const firstBytes = await new Promise<Buffer>((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/video/${cameraId}?token=${encodeURIComponent(token)}`);
    const timer = setTimeout(() => reject(new Error(`no video from ${cameraId} in 30 s`)), 30_000);
    ws.on('message', (data: Buffer) => {
      clearTimeout(timer);
      ws.close();
      resolve(data);
    });
    ws.on('error', reject);
  });
  assert.equal(firstBytes[0], 0x47, 'MPEG-TS sync byte');

  // Issue 18: the simulated province is a process of its own beside the center; it got its agents
  // with the one-time provisioning token, which is spent (its file gone) and audited.
  const launcher = proc.proc.pid as number;
  const [centerPid, simPid] = [
    childRunning(launcher, 'control-api/src/main.ts'),
    childRunning(launcher, 'sim/main.ts'),
  ];
  assert.equal(existsSync(join(dataDir, 'simulator-token')), false, 'the provisioning token is spent');
  const audit = await api<Array<{ action: string; actor: string }>>(
    'GET',
    '/api/v1/audit?action=simulator.provision',
    token,
  );
  assert.equal(audit.status, 200, JSON.stringify(audit.body));
  assert.equal(audit.body.filter((r) => r.actor === 'simulator').length, 1);
  console.log(
    `e2e figures: start-up ${startupMs} ms (spawn to "Gwanje is running", ${SIMULATE} simulated sites), ` +
      `RSS center ${rssMb(centerPid)} MB, simulator ${rssMb(simPid)} MB`,
  );
});
