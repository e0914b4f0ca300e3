/**
 * Sessions everywhere (security review 2026-12: F4, F5, F6, F10 and the PIPA view trail), against
 * the real center with one simulated site: a real edge agent pushing its virtual camera through
 * the gateway, real WebSocket and Socket.IO clients, a real MQTT agent for a second site.
 */
import assert from 'node:assert/strict';
import { connect as tcpConnect } from 'node:net';
import { after, before, test } from 'node:test';
import type { Alarm } from '@gwanje/protocol';
import mqtt from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { jsonApi, waitFor } from '../../../testkit/index.js';
import { startTestCenter, type TestCenter } from '../support/center.js';

const PASSWORD = 'sessions-Control-r00m-7!';
const USER_PW = 'Viewer-Wide-Pass-7x';
let center: TestCenter;
let admin: string;
let cameraId: string;
/** The simulated site (its camera) and a site the tests keep users out of. */
let camSite: string;
let otherSite: string;
const sockets: Socket[] = [];
const viewers: WebSocket[] = [];
const api = jsonApi(() => center.base);

before(async () => {
  center = await startTestCenter({
    password: PASSWORD,
    env: { GWANJE_SIMULATE: '1', GWANJE_SIMULATE_INCIDENT_SEC: '0' },
  });
  admin = await login('admin', PASSWORD);
  await waitFor(async () => (await api<unknown[]>('GET', '/api/v1/cameras', admin)).body.length === 1, 20_000);
  const cam = (await api<Array<{ cameraId: string; siteId: string }>>('GET', '/api/v1/cameras', admin)).body[0];
  cameraId = cam.cameraId;
  camSite = cam.siteId;
  otherSite = camSite === 'osan' ? 'suwon' : 'osan';
});

after(async () => {
  for (const s of sockets) s.disconnect();
  for (const v of viewers) v.terminate();
  await center?.stop();
});

async function login(username: string, password: string): Promise<string> {
  const r = await api<{ token: string }>('POST', '/api/v1/auth/login', undefined, { username, password });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.token;
}

async function newUser(username: string, sites: string[], role = 'viewer'): Promise<string> {
  const r = await api('POST', '/api/v1/users', admin, { username, password: USER_PW, role, sites });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return login(username, USER_PW);
}

async function ticket(token: string, camera = cameraId): Promise<string> {
  const r = await api<{ ticket: string; expiresAt: number }>('POST', '/api/v1/video/tickets', token, {
    cameraId: camera,
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(r.body.expiresAt <= Date.now() + 60_000 && r.body.expiresAt > Date.now() + 50_000, 'a 60 s ticket');
  return r.body.ticket;
}

interface Viewer {
  ws: WebSocket;
  bytes(): number;
  closed: Promise<{ code: number; at: number }>;
}

function watch(query: string, camera = cameraId): Promise<Viewer> {
  const ws = new WebSocket(`${center.base.replace('http', 'ws')}/video/${camera}?${query}`);
  viewers.push(ws);
  let bytes = 0;
  ws.on('message', (d: Buffer) => {
    bytes += d.length;
  });
  const closed = new Promise<{ code: number; at: number }>((r) =>
    ws.once('close', (code) => r({ code, at: Date.now() })),
  );
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, bytes: () => bytes, closed }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

test('F6: a ticket opens one camera for 60 s; it is never a Bearer token and never another camera', {
  timeout: 60_000,
}, async () => {
  const t = await ticket(admin);
  const v = await watch(`ticket=${encodeURIComponent(t)}`);
  await waitFor(() => v.bytes() > 188 * 50, 30_000);
  assert.equal((await fetch(`${center.base}/api/v1/me`, { headers: { authorization: `Bearer ${t}` } })).status, 401);
  await assert.rejects(watch(`ticket=${encodeURIComponent(t)}`, 'other-cam-1'), /status 403/);
  assert.equal((await api('POST', '/api/v1/video/tickets', admin, { cameraId: 'nowhere-cam-1' })).status, 404);
  assert.equal((await api('POST', '/api/v1/video/tickets', admin, {})).status, 400);
  const snap = await fetch(`${center.base}/video/${cameraId}/snapshot.jpg?ticket=${encodeURIComponent(t)}`);
  assert.equal(snap.status, 200);
  assert.equal(snap.headers.get('content-type'), 'image/jpeg');
  v.ws.close();
});

test('F4: logout closes the video sockets of that session within a second (MPEG-TS and MPEG1)', {
  timeout: 60_000,
}, async () => {
  const token = await newUser('watcher1', ['*']);
  // CONTRACT still takes ?token= (the review's repro); the console uses tickets: both must close.
  const ts = await watch(`token=${encodeURIComponent(token)}`);
  const m1 = await watch(`ticket=${encodeURIComponent(await ticket(token))}&format=mpeg1`);
  await waitFor(() => ts.bytes() > 188 * 50 && m1.bytes() > 188 * 10, 30_000);
  const t0 = Date.now();
  assert.equal((await api('POST', '/api/v1/auth/logout', token)).status, 204);
  const [a, b] = await Promise.all([ts.closed, m1.closed]);
  assert.equal(a.code, 4401);
  assert.equal(b.code, 4401);
  assert.ok(Math.max(a.at, b.at) - t0 < 1000, `closed ${Math.max(a.at, b.at) - t0} ms after logout`);
});

test("F4: sites narrowed, password reset, user deleted: each closes the user's video within a second", {
  timeout: 60_000,
}, async () => {
  for (const [name, change] of [
    ['watcher2', (u: string) => api('PATCH', `/api/v1/users/${u}`, admin, { sites: [otherSite] })],
    ['watcher3', (u: string) => api('PATCH', `/api/v1/users/${u}`, admin, { password: 'An0ther-Long-Pass-9' })],
    ['watcher4', (u: string) => api('DELETE', `/api/v1/users/${u}`, admin)],
  ] as const) {
    const token = await newUser(name, ['*']);
    const v = await watch(`ticket=${encodeURIComponent(await ticket(token))}`);
    await waitFor(() => v.bytes() > 188 * 20, 30_000);
    const r = await change(name);
    // From the change's answer: a password reset spends its time in scrypt first (seconds on a
    // loaded 2-core machine); what must take under a second is the close after the change is made.
    const t0 = Date.now();
    assert.ok(r.status < 300, `${name}: ${r.status}`);
    const { code, at } = await v.closed;
    assert.equal(code, 4401, name);
    assert.ok(at - t0 < 1000, `${name}: closed ${at - t0} ms after the change was answered`);
  }
});

test("F4: revoking the camera's agent ends its video push", { timeout: 60_000 }, async () => {
  const v = await watch(`ticket=${encodeURIComponent(await ticket(admin))}`);
  await waitFor(() => v.bytes() > 188 * 50, 30_000);
  const agents = await api<Array<{ agentId: string }>>('GET', '/api/v1/agents', admin);
  const agentId = agents.body[0].agentId;
  assert.equal((await api('DELETE', `/api/v1/agents/${agentId}`, admin)).status < 300, true);
  await new Promise((r) => setTimeout(r, 500));
  const at = v.bytes();
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal(v.bytes(), at, 'no video after the revocation');
  v.ws.close();
});

test('PIPA: every view is in the audit trail with who, camera, when and how long', { timeout: 60_000 }, async () => {
  const trail = await api<Array<{ actor: string; action: string; target: string; detail: string; ts: number }>>(
    'GET',
    '/api/v1/audit?action=video.view.end&limit=100',
    admin,
  );
  const ended = trail.body.filter((r) => r.actor === 'watcher1' && r.target === cameraId);
  assert.deepEqual(ended.map((r) => JSON.parse(r.detail).kind).sort(), ['live', 'mpeg1']);
  for (const r of ended) assert.ok(JSON.parse(r.detail).durationMs > 0);
  const opened = await api<Array<{ actor: string; target: string; ip: string }>>(
    'GET',
    '/api/v1/audit?action=video.view&actor=watcher1',
    admin,
  );
  assert.equal(opened.body.length, 2);
  assert.ok(opened.body.every((r) => r.target === cameraId && r.ip === '127.0.0.1'));
  const snaps = await api<Array<{ detail: string }>>('GET', '/api/v1/audit?action=video.view&actor=admin', admin);
  assert.ok(snaps.body.some((r) => JSON.parse(r.detail).kind === 'snapshot'));
});

test('F5: after an admin narrows a user, subscribe {siteIds:["*"]} cannot widen the live feed again', {
  timeout: 60_000,
}, async () => {
  const token = await newUser('wide1', ['*']);
  const s = io(`${center.base}/live`, { auth: { token }, transports: ['websocket'], reconnection: false });
  sockets.push(s);
  const alarms: Alarm[] = [];
  s.on('alarm', (a: Alarm) => alarms.push(a));
  await new Promise<void>((resolve, reject) => {
    s.once('alarms:snapshot', () => resolve());
    s.once('connect_error', reject);
  });
  assert.equal((await api('PATCH', '/api/v1/users/wide1', admin, { sites: [camSite] })).status, 200);
  const ack = await new Promise<{ siteIds: string[] }>((r) => s.emit('subscribe', { siteIds: ['*', otherSite] }, r));
  assert.deepEqual(ack.siteIds, []);
  // A gas alarm in the other site reaches an all-sites admin but not the narrowed user.
  const watcher = io(`${center.base}/live`, { auth: { token: admin }, transports: ['websocket'], reconnection: false });
  sockets.push(watcher);
  const adminSaw: Alarm[] = [];
  watcher.on('alarm', (a: Alarm) => adminSaw.push(a));
  await new Promise<void>((r) => watcher.once('alarms:snapshot', () => r()));
  const created = await api<{ mqtt: { url: string; username: string; password: string } }>(
    'POST',
    '/api/v1/agents',
    admin,
    {
      agentId: 'sess-agent-1',
      siteId: otherSite,
    },
  );
  const agent = await mqtt.connectAsync(created.body.mqtt.url, {
    protocolVersion: 4,
    username: created.body.mqtt.username,
    password: created.body.mqtt.password,
    clientId: 'sess-agent-1',
  });
  const reading = {
    sensorId: 'sess-ch4-1',
    metric: 'gas',
    gas: 'CH4',
    value: 60,
    unit: '%LEL',
    ts: Date.now(),
    quality: 'good',
  };
  await agent.publishAsync(
    `gwanje/v1/${otherSite}/sess-agent-1/telemetry`,
    JSON.stringify({ agentId: 'sess-agent-1', seq: Date.now(), readings: [reading] }),
    {
      qos: 1,
    },
  );
  await agent.endAsync();
  await waitFor(() => adminSaw.some((a) => a.siteId === otherSite), 15_000);
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(
    alarms.filter((a) => a.siteId === otherSite),
    [],
  );
});

test('F14: subscribe is rate-limited per socket', { timeout: 60_000 }, async () => {
  const s = io(`${center.base}/live`, { auth: { token: admin }, transports: ['websocket'], reconnection: false });
  sockets.push(s);
  await new Promise<void>((r) => s.once('alarms:snapshot', () => r()));
  const acks: Array<{ error?: string }> = [];
  for (let i = 0; i < 7; i++) acks.push(await new Promise((r) => s.emit('subscribe', { siteIds: [camSite] }, r)));
  assert.deepEqual(
    acks.map((a) => a.error ?? 'ok'),
    ['ok', 'ok', 'ok', 'ok', 'ok', 'rate-limited', 'rate-limited'],
  );
});

test('F10: an upgrade to any other path is answered 404 and closed at once', { timeout: 60_000 }, async () => {
  const t0 = Date.now();
  const answer = await new Promise<{ text: string; closedAfter: number }>((resolve, reject) => {
    const sock = tcpConnect(center.httpPort, '127.0.0.1', () =>
      sock.write('GET /x HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'),
    );
    let text = '';
    sock.on('data', (b) => {
      text += b.toString();
    });
    sock.on('close', () => resolve({ text, closedAfter: Date.now() - t0 }));
    sock.on('error', reject);
    setTimeout(() => reject(new Error('the upgrade was left open')), 5000).unref();
  });
  assert.match(answer.text, /^HTTP\/1\.1 404/);
  assert.ok(answer.closedAfter < 1500, `closed after ${answer.closedAfter} ms`);
});
