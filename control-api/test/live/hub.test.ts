/**
 * Socket.IO /live with real clients (socket.io-client) and real tokens: site rooms, the standing
 * set first, `subscribe` narrowing (never widening) and `reading` at most 2/s per sensor
 * (injected clock, no sleeps).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Alarm, LiveReading } from '@gwanje/protocol';
import { io, type Socket } from 'socket.io-client';
import { waitFor } from '../../../testkit/index.js';
import { authPortsFromRepositories } from '../../src/auth/adapter.js';
import { AuditLog } from '../../src/auth/audit.js';
import { AuthService } from '../../src/auth/service.js';
import { LiveHub } from '../../src/live/hub.js';
import { openTestStore, type TestCenterStore } from '../ingest/fixture.js';

let store: TestCenterStore;
let auth: AuthService;
let hub: LiveHub;
let server: Server;
let url: string;
let clock = 1_800_000_000_000;
let active: Alarm[] = [];
const tokens: Record<string, string> = {};
const sockets: Socket[] = [];

const alarm = (id: string, siteId: string): Alarm => ({
  id,
  siteId,
  sourceId: `${siteId}-ch4-1`,
  sourceKind: 'sensor',
  type: 'gas-high',
  priority: 1,
  state: 'unack',
  raisedAt: clock,
  message: 'gas-high',
  cameras: [],
});

interface Client {
  socket: Socket;
  snapshots: Alarm[][];
  alarms: string[];
  readings: LiveReading[];
}

async function connect(user: string): Promise<Client> {
  const socket = io(`${url}/live`, { path: '/socket.io', auth: { token: tokens[user] }, transports: ['websocket'] });
  sockets.push(socket);
  const c: Client = { socket, snapshots: [], alarms: [], readings: [] };
  socket.on('alarms:snapshot', (list: Alarm[]) => c.snapshots.push(list));
  socket.on('alarm', (a: Alarm) => c.alarms.push(a.id));
  socket.on('reading', (r: LiveReading) => c.readings.push(r));
  await waitFor(() => c.snapshots.length > 0, 5000);
  return c;
}

before(async () => {
  store = await openTestStore();
  const ports = authPortsFromRepositories(store.repos);
  auth = new AuthService({ ports, audit: new AuditLog(ports.audit, Date.now, store.log), log: store.log });
  await auth.start();
  const users: Array<[string, string[]]> = [
    ['op-suwon', ['suwon']],
    ['op-two', ['suwon', 'anyang']],
    ['chief', ['*']],
  ];
  for (const [username, sites] of users) {
    const password = `Control-Room-${sites.length}-9x!`;
    await auth.users.create({ username, password, role: 'operator', sites }, 'test', null);
    tokens[username] = (await auth.login(username, password, '127.0.0.1')).token;
  }
  hub = new LiveHub({
    log: store.log,
    metrics: store.metrics,
    verify: (t) => auth.verify(t),
    activeAlarms: () => active,
    now: () => clock,
  });
  server = createServer();
  hub.attach(server);
  hub.start();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  for (const s of sockets) s.disconnect();
  await hub?.stop();
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  await auth?.stop();
  await store?.close();
});

test('a socket without a valid token is refused', async () => {
  for (const token of [undefined, 'not-a-token']) {
    const socket = io(`${url}/live`, { path: '/socket.io', auth: token ? { token } : {}, transports: ['websocket'] });
    sockets.push(socket);
    const err = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
    assert.match(err.message, /live: (auth.token is required|invalid or expired token)/);
  }
});

test('a (re)connecting console gets the standing alarms of its sites first', async () => {
  active = [alarm('a-suwon', 'suwon'), alarm('a-anyang', 'anyang'), alarm('a-gunpo', 'gunpo')];
  const suwon = await connect('op-suwon');
  const chief = await connect('chief');
  assert.deepEqual(
    suwon.snapshots[0].map((a) => a.id),
    ['a-suwon'],
  );
  assert.deepEqual(
    chief.snapshots[0].map((a) => a.id),
    ['a-suwon', 'a-anyang', 'a-gunpo'],
  );
  active = [];
});

test('alarms reach only the rooms of sites a user may see; subscribe narrows but never widens', async () => {
  const suwon = await connect('op-suwon');
  const two = await connect('op-two');
  const chief = await connect('chief');
  hub.alarm(alarm('x-anyang', 'anyang'));
  hub.alarm(alarm('x-suwon', 'suwon'));
  await waitFor(
    () => suwon.alarms.includes('x-suwon') && two.alarms.includes('x-suwon') && chief.alarms.includes('x-suwon'),
  );
  assert.deepEqual(suwon.alarms, ['x-suwon']);
  assert.deepEqual(two.alarms, ['x-anyang', 'x-suwon']);
  assert.deepEqual(chief.alarms, ['x-anyang', 'x-suwon']);

  // op-two asks for anyang and gapyeong: gapyeong is not theirs, so only anyang remains.
  const granted = await two.socket.emitWithAck('subscribe', { siteIds: ['anyang', 'gapyeong'] });
  assert.deepEqual(granted, { siteIds: ['anyang'] });
  // op-suwon cannot widen to anyang.
  assert.deepEqual(await suwon.socket.emitWithAck('subscribe', { siteIds: ['anyang'] }), { siteIds: [] });
  // An all-sites user narrows to one site.
  assert.deepEqual(await chief.socket.emitWithAck('subscribe', { siteIds: ['gapyeong'] }), { siteIds: ['gapyeong'] });

  hub.alarm(alarm('y-suwon', 'suwon'));
  hub.alarm(alarm('y-anyang', 'anyang'));
  hub.alarm(alarm('y-gapyeong', 'gapyeong'));
  await waitFor(() => two.alarms.includes('y-anyang') && chief.alarms.includes('y-gapyeong'));
  // Socket.IO keeps per-socket order: had y-suwon been sent to them, it would have arrived first.
  assert.deepEqual(two.alarms.slice(2), ['y-anyang']);
  assert.deepEqual(chief.alarms.slice(2), ['y-gapyeong']);
  assert.deepEqual(suwon.alarms, ['x-suwon']);
});

test('readings go out at most twice per second per sensor, the newest held value last', async () => {
  const c = await connect('op-suwon');
  const r = (value: number): LiveReading => ({
    sensorId: 'suwon-ch4-1',
    siteId: 'suwon',
    value,
    ts: clock,
    state: 'normal',
  });
  for (let i = 1; i <= 5; i++) {
    if (i > 1) clock += 100;
    hub.reading(r(i));
  }
  hub.reading({ ...r(99), sensorId: 'suwon-co-1' });
  await waitFor(() => c.readings.length === 2);
  assert.deepEqual(
    c.readings.map((x) => [x.sensorId, x.value]),
    [
      ['suwon-ch4-1', 1],
      ['suwon-co-1', 99],
    ],
  );
  // 400 ms after the first emit nothing more went out; at 500 ms the held value (5) is due.
  assert.equal(c.readings.length, 2);
  clock += 100;
  hub.flushReadings();
  await waitFor(() => c.readings.length === 3);
  assert.deepEqual(c.readings[2].value, 5);
  // Nothing more is held: flushing again sends nothing, the next reading waits for its window.
  hub.flushReadings();
  hub.reading(r(6));
  clock += 499;
  hub.flushReadings();
  clock += 1;
  hub.flushReadings();
  await waitFor(() => c.readings.length === 4);
  assert.deepEqual(
    c.readings.map((x) => x.value),
    [1, 99, 5, 6],
  );
});
