/**
 * Security review F3: unauthenticated clients cannot make the center hold memory or sockets
 * through the embedded broker. Against the whole center (the review's reproduction: a CONNECT
 * announcing 256 MiB, then its bytes), and against the broker alone with an injected login timer.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import mqttPacket from 'mqtt-packet';
import { freePort, waitFor } from '../../../testkit/index.js';
import type { GateTimers } from '../../src/broker/connection-gate.js';
import { EmbeddedBroker } from '../../src/broker/embedded.js';
import { EMBEDDED_SERVICE_CLIENT_ID } from '../../src/broker/types.js';
import { randomSecret } from '../../src/settings.js';
import { openTestStore, type TestCenterStore } from '../ingest/fixture.js';
import { centerApi, connectAgent } from '../support/agents.js';
import { startTestCenter, type TestCenter } from '../support/center.js';

const PASSWORD = 'preauth-Control-r00m-7!';

/** A raw TCP client from `localAddress` (any 127.x.y.z is loopback on Linux). */
function rawClient(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', localAddress }, () => resolve(s));
    s.once('error', reject);
  });
}
const closed = (s: Socket) =>
  new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));

describe('the center under unauthenticated MQTT clients', () => {
  let center: TestCenter;
  const c = centerApi(() => center.base);
  before(async () => {
    center = await startTestCenter({ password: PASSWORD });
  });
  after(async () => {
    await center?.stop();
  });

  test('F3: a CONNECT announcing 256 MiB is cut off at its header; the center does not buffer it', async () => {
    const rss0 = process.memoryUsage().rss;
    const sockets = await Promise.all([1, 2, 3, 4].map(() => rawClient(center.mqttPort, '127.0.0.2')));
    const written = [0, 0, 0, 0];
    await Promise.all(
      sockets.map(async (s, i) => {
        s.on('error', () => undefined);
        s.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]));
        const chunk = Buffer.alloc(1 << 20);
        // Up to 64 MiB each, the review sent 250 MiB; the center must hang up long before.
        while (!s.destroyed && written[i] < 64 << 20) {
          if (!s.write(chunk)) await new Promise((r) => s.once('drain', r).once('close', r));
          written[i] += chunk.length;
        }
        await closed(s);
      }),
    );
    const grown = (process.memoryUsage().rss - rss0) / 2 ** 20;
    assert.ok(grown < 40, `RSS grew ${grown.toFixed(0)} MiB`);
    assert.ok((await c.metric('gwanje_broker_refused_total', '{reason="packet-too-large"}')) >= 4);
  });

  test('F3: not-yet-logged-in connections are capped per address; agents elsewhere still log in', async () => {
    const idle = await Promise.all(Array.from({ length: 40 }, () => rawClient(center.mqttPort, '127.0.0.3')));
    for (const s of idle) s.on('error', () => undefined);
    await waitFor(() => idle.filter((s) => s.destroyed).length >= 8, 5000);
    const admin = await c.login('admin', PASSWORD);
    const agent = await connectAgent(await c.provision(admin, 'preauth-gw', 'suwon'));
    assert.equal(agent.connected, true);
    await agent.endAsync();
    for (const s of idle) s.destroy();
    assert.ok((await c.metric('gwanje_broker_refused_total', '{reason="too-many-pending-from-address"}')) >= 8);
  });

  test('a first packet that is not CONNECT closes the connection (MQTT-3.1.0-1)', async () => {
    const s = await rawClient(center.mqttPort);
    s.on('error', () => undefined);
    s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await closed(s);
  });
});

describe('the broker login timer', () => {
  let store: TestCenterStore;
  let broker: EmbeddedBroker;
  const fired: Array<() => void> = [];
  const timers: GateTimers = {
    set: (fn) => {
      fired.push(fn);
      return fn;
    },
    clear: (h) => {
      const i = fired.indexOf(h as () => void);
      if (i >= 0) fired.splice(i, 1);
    },
  };
  const service = { username: 'gwanje-center', password: randomSecret() };
  const serviceConnect = (password: string) =>
    mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: EMBEDDED_SERVICE_CLIENT_ID,
      clean: true,
      keepalive: 0,
      username: service.username,
      password: Buffer.from(password),
    });

  before(async () => {
    store = await openTestStore();
    broker = new EmbeddedBroker({
      port: await freePort(),
      host: '127.0.0.1',
      service,
      auth: store.credentials,
      log: store.log,
      timers,
    });
    await broker.start();
  });
  after(async () => {
    await broker.stop();
    await store.close();
  });

  test('F9: a refused login is answered only when its delay timer fires, holding its slot meanwhile', async () => {
    const s = await rawClient(broker.port);
    s.on('error', () => undefined);
    const got: Buffer[] = [];
    s.on('data', (b) => got.push(b));
    s.write(serviceConnect('wrong'));
    // The gate's login timer and the refusal's delay timer.
    await waitFor(() => fired.length === 2, 5000);
    assert.equal(got.length, 0, 'answered before the delay');
    assert.equal(broker.connections.pending, 1);
    fired.pop()?.();
    await closed(s);
    assert.equal(Buffer.concat(got)[3], 4, 'CONNACK 4: bad user name or password');
    fired.splice(0);
  });

  test('F3: a refused socket is closed when its hold timer fires, unread meanwhile (no reconnect storm)', async () => {
    const s = await rawClient(broker.port);
    s.on('error', () => undefined);
    s.write('GET / HTTP/1.1\r\n\r\n');
    // The gate's login timer, then the refused socket's hold timer.
    await waitFor(() => fired.length === 2, 5000);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(s.destroyed, false, 'closed before its hold ended');
    fired.pop()?.();
    await closed(s);
    fired.splice(0);
  });

  test('F3: a connection that has not logged in when its timer fires is closed; a logged-in one stays', async () => {
    const silent = await rawClient(broker.port);
    silent.on('error', () => undefined);
    const ok = await rawClient(broker.port);
    ok.on('error', () => undefined);
    ok.write(serviceConnect(service.password));
    await waitFor(() => broker.connections.pending === 1, 5000);
    assert.equal(fired.length, 1, 'the logged-in connection cleared its timer');
    for (const fn of fired.splice(0)) fn();
    await closed(silent);
    assert.equal(ok.destroyed, false);
    await waitFor(() => broker.connections.open === 1, 5000);
    assert.deepEqual(broker.connections, { open: 1, pending: 0 });
    ok.destroy();
  });
});

describe('the broker listener when the not-logged-in connections are at their cap', () => {
  let store: TestCenterStore;
  let broker: EmbeddedBroker;
  const refused: string[] = [];

  before(async () => {
    store = await openTestStore();
    broker = new EmbeddedBroker({
      port: await freePort(),
      host: '127.0.0.1',
      service: { username: 'gwanje-center', password: randomSecret() },
      auth: store.credentials,
      log: store.log,
      limits: { maxPending: 4 },
      onRefused: (r) => refused.push(r),
    });
    await broker.start();
  });
  after(async () => {
    await broker.stop();
    await store.close();
  });

  test('F3: further sockets are dropped at the listener until a pending one goes', async () => {
    const idle = await Promise.all([1, 2, 3, 4].map((i) => rawClient(broker.port, `127.0.0.${10 + i}`)));
    for (const s of idle) s.on('error', () => undefined);
    await waitFor(() => broker.connections.pending === 4, 5000);
    const extra = connect({ port: broker.port, host: '127.0.0.1', localAddress: '127.0.0.20' });
    extra.on('error', () => undefined);
    await closed(extra);
    await waitFor(() => refused.includes('too-many-pending'), 5000);
    idle[0].destroy();
    await waitFor(() => broker.connections.pending === 3, 5000);
    const later = await rawClient(broker.port, '127.0.0.21');
    later.on('error', () => undefined);
    await waitFor(() => broker.connections.pending === 4, 5000);
    for (const s of [...idle, later]) s.destroy();
  });
});
