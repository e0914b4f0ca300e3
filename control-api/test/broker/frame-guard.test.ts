/**
 * Security review F3, the pure parts of the broker's front door: the MQTT fixed-header scanner
 * refuses a packet from its header (never after buffering it), wherever the chunk boundaries
 * fall, and the admission counters cap open and not-yet-logged-in connections.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import mqttPacket from 'mqtt-packet';
import { ConnectionAdmission } from '../../src/broker/admission.js';
import { type FrameLimits, MqttFrameGuard } from '../../src/broker/frame-guard.js';

const LIMITS: FrameLimits = { connectMax: 1024, packetMax: 64 * 1024, preAuthBytes: 4096 };

const connect = mqttPacket.generate({
  cmd: 'connect',
  protocolId: 'MQTT',
  protocolVersion: 4,
  clientId: 'suwon-gw-1',
  clean: false,
  keepalive: 30,
  username: 'suwon-gw-1',
  password: Buffer.from('x'.repeat(32)),
});
const publish = (bytes: number) =>
  mqttPacket.generate({
    cmd: 'publish',
    topic: 'gwanje/v1/suwon/suwon-gw-1/telemetry',
    payload: Buffer.alloc(bytes, 0x61),
    qos: 1,
    messageId: 7,
    retain: false,
    dup: false,
  });

/** Feeds `bytes` split at every `step` bytes; returns the first refusal. */
function feed(guard: MqttFrameGuard, bytes: Buffer, step: number) {
  for (let i = 0; i < bytes.length; i += step) {
    const r = guard.push(bytes.subarray(i, i + step));
    if (r) return r;
  }
  return undefined;
}

describe('MqttFrameGuard', () => {
  test('headerSeen once the first packet type and length are read', () => {
    const g = new MqttFrameGuard(LIMITS);
    g.push(connect.subarray(0, 1));
    assert.equal(g.headerSeen, false);
    g.push(connect.subarray(1, 2));
    assert.equal(g.headerSeen, true);
  });

  test('a real CONNECT then PUBLISH stream passes, whatever the chunking', () => {
    for (const step of [1, 2, 3, 7, 64, 100_000]) {
      const g = new MqttFrameGuard(LIMITS);
      assert.equal(feed(g, connect, step), undefined, `step ${step}`);
      g.authenticated = true;
      assert.equal(feed(g, Buffer.concat([publish(10), publish(30_000), publish(0)]), step), undefined);
    }
  });

  test('F3: a 256 MiB CONNECT is refused from its 5-byte header', () => {
    const g = new MqttFrameGuard(LIMITS);
    // CONNECT, Remaining Length 268,435,455 (the review's reproduction).
    assert.equal(g.push(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f])), 'packet-too-large');
    const split = new MqttFrameGuard(LIMITS);
    assert.equal(split.push(Buffer.from([0x10])), undefined);
    assert.equal(split.headerSeen, false);
    assert.equal(split.push(Buffer.from([0xff])), undefined); // 127 so far: below the limit
    assert.equal(split.push(Buffer.from([0xff])), 'packet-too-large');
  });

  test('the first packet must be CONNECT (MQTT-3.1.0-1)', () => {
    assert.equal(new MqttFrameGuard(LIMITS).push(publish(5)), 'first-not-connect');
    assert.equal(new MqttFrameGuard(LIMITS).push(Buffer.from('GET / HTTP/1.1\r\n')), 'first-not-connect');
  });

  test('before login: at most preAuthBytes; after login: packets up to packetMax', () => {
    const g = new MqttFrameGuard(LIMITS);
    assert.equal(g.push(connect), undefined);
    // Pipelined packets before the CONNECT is authenticated count against the pre-login budget.
    assert.equal(g.push(publish(2000)), undefined);
    assert.equal(g.push(publish(3000)), 'pre-auth-bytes');
    const a = new MqttFrameGuard(LIMITS);
    a.push(connect);
    a.authenticated = true;
    assert.equal(a.push(publish(60_000)), undefined);
    assert.equal(a.push(publish(70_000)), 'packet-too-large');
  });

  test('a Remaining Length of five bytes is malformed (MQTT 3.1.1 section 2.2.3)', () => {
    const g = new MqttFrameGuard({ ...LIMITS, connectMax: 2 ** 30 });
    assert.equal(g.push(Buffer.from([0x10, 0x80, 0x80, 0x80, 0x80])), 'malformed-length');
  });
});

describe('ConnectionAdmission', () => {
  test('F3: caps pending connections per address and in total, and open connections', () => {
    const a = new ConnectionAdmission({ maxConnections: 5, maxPending: 4, maxPendingPerAddress: 2 });
    assert.equal(a.admit('10.0.0.1'), undefined);
    assert.equal(a.admit('10.0.0.1'), undefined);
    assert.equal(a.admit('10.0.0.1'), 'too-many-pending-from-address');
    assert.equal(a.admit('10.0.0.2'), undefined);
    assert.equal(a.admit('10.0.0.3'), undefined);
    assert.equal(a.admit('10.0.0.4'), 'too-many-pending');
    // Logged-in connections no longer count as pending, but still as open.
    a.authenticated('10.0.0.1');
    a.authenticated('10.0.0.1');
    assert.equal(a.admit('10.0.0.1'), undefined);
    assert.equal(a.admit('10.0.0.5'), 'too-many-connections');
    a.closed('10.0.0.2', true);
    assert.deepEqual(a.counts, { open: 4, pending: 2 });
    assert.equal(a.admit('10.0.0.5'), undefined);
  });
});
