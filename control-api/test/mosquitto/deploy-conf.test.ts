/**
 * Security review I6 (and F3 on the production broker): the limits in
 * deploy/mosquitto/mosquitto.conf, applied to a real Mosquitto 2, cut off a CONNECT that announces
 * 256 MiB and a packet above the telemetry cap, and still carry a full-size telemetry batch.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import { type MosquittoInstance, startMosquitto } from '../../../testkit/index.js';

const CONF = new URL('../../../deploy/mosquitto/mosquitto.conf', import.meta.url);
const limits = readFileSync(CONF, 'utf8')
  .split('\n')
  .filter((l) => /^(max_packet_size|max_connections|max_queued_messages|max_queued_bytes)\s/.test(l));
let broker: MosquittoInstance;

before(async () => {
  broker = await startMosquitto({ extraConfig: [...new Set(limits)].join('\n') });
});
after(async () => {
  await broker?.stop();
});

test('I6: the production config sets the packet, connection and queue limits', () => {
  // max_connections is per listener (one line under each); the others are global.
  assert.deepEqual([...new Set(limits.map((l) => l.split(/\s+/)[0]))].sort(), [
    'max_connections',
    'max_packet_size',
    'max_queued_bytes',
    'max_queued_messages',
  ]);
});

test('I6: a CONNECT announcing 256 MiB is refused by the production limits', async () => {
  const s = connect(broker.port, '127.0.0.1');
  s.on('error', () => undefined);
  await new Promise((r) => s.once('connect', r));
  s.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]));
  let sent = 0;
  const chunk = Buffer.alloc(1 << 20);
  while (!s.destroyed && sent < 16 << 20) {
    if (!s.write(chunk)) await new Promise((r) => s.once('drain', r).once('close', r));
    sent += chunk.length;
  }
  await new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));
  assert.ok(sent < 16 << 20, `the broker read ${sent} bytes of a 256 MiB CONNECT`);
});

test('I6: a full 1 MiB telemetry payload passes; a larger packet disconnects the client', async () => {
  const client = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: 'big', reconnectPeriod: 0 });
  const seen: number[] = [];
  const sub = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: 'sub', reconnectPeriod: 0 });
  sub.on('message', (_t, p) => seen.push(p.length));
  await sub.subscribeAsync('t/#', { qos: 1 });
  await client.publishAsync('t/ok', Buffer.alloc(1024 * 1024, 0x61), { qos: 1 });
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  client.publish('t/too-big', Buffer.alloc(1024 * 1024 + 16 * 1024, 0x61), { qos: 1 });
  await closed;
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(seen, [1024 * 1024]);
  client.end(true);
  await sub.endAsync();
});
