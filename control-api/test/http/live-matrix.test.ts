/**
 * The authorization matrix for Socket.IO `/live` (issue 9: "every route and socket event x every
 * role x in/out of scope"): a LiveHub authenticating through the running center's AuthService.verify,
 * on a server of its own so the test drives every event kind itself (no reading throttle). Every event kind is emitted for a site inside and a site outside the
 * caller's grant; a caller must get exactly the in-scope ones, and nothing without a valid token.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type Alarm, LIVE_NAMESPACE } from '@gwanje/protocol';
import pino from 'pino';
import { io, type Socket } from 'socket.io-client';
import { LiveHub } from '../../src/live/hub.js';
import { CenterMetrics } from '../../src/metrics.js';
import { createHarness, type Harness } from './harness.js';

const PW = 'signal-flare-7720';
const IN = 'suwon';
const OUT = 'osan';
const EVENTS = ['alarm', 'agent', 'camera', 'reading'] as const;

const CALLERS = [
  { name: 'viewer@suwon', username: 'viewer', role: 'viewer', sites: [IN] },
  { name: 'operator@suwon', username: 'operator', role: 'operator', sites: [IN] },
  { name: 'supervisor@suwon', username: 'supervisor', role: 'supervisor', sites: [IN] },
  { name: 'admin@suwon', username: 'admin1', role: 'admin', sites: [IN] },
  { name: 'admin@*', username: 'root', role: 'admin', sites: ['*'] },
] as const;

const alarmAt = (siteId: string): Alarm => ({
  id: `live-${siteId}`,
  siteId,
  sourceId: `${siteId}-ch4-1`,
  sourceKind: 'sensor',
  type: 'gas-high',
  priority: 1,
  state: 'unack',
  raisedAt: 1_763_900_000_000,
  message: 'CH4 high',
  cameras: [],
});

function connect(url: string, token: string | undefined, setup?: (s: Socket) => void): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = io(url + LIVE_NAMESPACE, {
      path: '/socket.io',
      auth: token ? { token } : {},
      transports: ['websocket'],
      reconnection: false,
      autoConnect: false,
    });
    // Listeners first: the server sends the snapshot right after accepting.
    setup?.(s);
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => {
      s.close();
      reject(err);
    });
    s.connect();
  });
}

describe('Socket.IO /live authorization matrix', () => {
  let h: Harness;
  let hub: LiveHub;
  let server: Server;
  let url: string;
  const tokens = new Map<string, string>();
  before(async () => {
    h = await createHarness();
    hub = new LiveHub({
      log: pino({ level: 'silent' }),
      metrics: new CenterMetrics(),
      verify: (t) => h.auth.verify(t),
      activeAlarms: () => [alarmAt(IN), alarmAt(OUT)],
      readingIntervalMs: 0,
    });
    server = createServer();
    hub.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const c of CALLERS) {
      await h.auth.users.create(
        { username: c.username, password: PW, role: c.role, sites: [...c.sites] },
        'test',
        null,
      );
      tokens.set(c.name, (await h.auth.login(c.username, PW, '127.0.0.1')).token);
    }
  });
  after(async () => {
    await hub.stop();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await h.close();
  });

  test('no token, a bad token or a revoked token: the connection is refused', async () => {
    await assert.rejects(connect(url, undefined), /auth.token is required/);
    await assert.rejects(connect(url, 'not-a-token'), /invalid or expired/);
    const { token } = await h.auth.login('viewer', PW, '127.0.0.1');
    await h.auth.logout(await h.auth.verify(token), null);
    await assert.rejects(connect(url, token), /invalid or expired/);
  });

  test('I3: the default namespace accepts no socket, not even with a valid token', async () => {
    const { token } = await h.auth.login('viewer', PW, '127.0.0.1');
    const s = io(url, {
      path: '/socket.io',
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    const err = await new Promise<Error>((resolve, reject) => {
      s.once('connect', () => reject(new Error('connected to /')));
      s.once('connect_error', resolve);
    });
    s.close();
    assert.match(err.message, /connect to the \/live namespace/);
  });

  for (const c of CALLERS) {
    test(`${c.name}: every event of its sites, none of the others; subscribe cannot widen`, async () => {
      const got: string[] = [];
      let snapshot: Promise<Alarm[]> | undefined;
      const s = await connect(url, tokens.get(c.name), (sock) => {
        snapshot = new Promise<Alarm[]>((resolve) => sock.once('alarms:snapshot', resolve));
        for (const ev of EVENTS) sock.on(ev, (p: { siteId: string }) => got.push(`${ev}:${p.siteId}`));
      });
      const snap = (await snapshot) ?? [];
      const all = c.sites.includes('*' as never);
      assert.deepEqual(snap.map((a) => a.siteId).sort(), all ? [OUT, IN].sort() : [IN]);
      const emitAll = (): void => {
        for (const siteId of [IN, OUT]) {
          hub.alarm(alarmAt(siteId));
          hub.agent({ agentId: `${siteId}-agent-1`, siteId, state: 'online', ts: 1_763_900_000_000 });
          hub.camera({ cameraId: `${siteId}-cam-1`, siteId, state: 'live' });
          hub.reading({
            sensorId: `${siteId}-ch4-${got.length}`,
            siteId,
            value: 1,
            ts: 1_763_900_000_000,
            state: 'normal',
          });
        }
      };
      emitAll();
      const want = EVENTS.flatMap((ev) => (all ? [`${ev}:${IN}`, `${ev}:${OUT}`] : [`${ev}:${IN}`])).sort();
      const deadline = Date.now() + 5000;
      while (got.length < want.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100)); // anything out of scope would have arrived by now
      assert.deepEqual([...got].sort(), want);
      // Asking for the other site narrows to nothing (or to it, for an all-sites admin).
      got.length = 0;
      const ack = await new Promise<{ siteIds: string[] }>((resolve) =>
        s.emit('subscribe', { siteIds: [OUT] }, resolve),
      );
      assert.deepEqual(ack.siteIds, all ? [OUT] : []);
      emitAll();
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual([...got].sort(), all ? EVENTS.map((ev) => `${ev}:${OUT}`).sort() : []);
      s.close();
    });
  }
});
