/**
 * Issue 5 "Measured": two real Mosquitto brokers (field and central) and a TCP proxy standing in
 * for the WAN. The uplink is cut, 20,000 field readings are published, the agent is killed with
 * SIGKILL and restarted mid-outage, the link is restored: the center, de-duplicating by seq as
 * CONTRACT allows, ends up with exactly 20,000 readings, in order per sensor, none twice. A second
 * kill -9 during the replay exercises re-sending in-flight batches under the same seq.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Telemetry } from '@gwanje/protocol';
import mqtt from 'mqtt';
import { startMosquitto, waitFor } from '../../testkit/index.js';
import { spawnAgent, writeConfig } from './helpers/agent-process.js';
import { startTcpProxy } from './helpers/proxy.js';

const SENSORS = 10;
const PER_SENSOR = 2000;
const TOTAL = SENSORS * PER_SENSOR;

test('20,000 readings survive a WAN outage and a kill -9: exactly once, in order', { timeout: 120_000 }, async (t) => {
  const field = await startMosquitto();
  const central = await startMosquitto();
  const proxy = await startTcpProxy(central.port);
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-loss-'));
  t.after(async () => {
    await proxy.close();
    await field.stop();
    await central.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const sensorIds = Array.from({ length: SENSORS }, (_, i) => `loss-t${i}`);
  const config = {
    siteId: 'testsite',
    agentId: 'loss-agent',
    central: { url: proxy.url, username: 'loss-agent', password: 'secret' },
    field: { url: field.url },
    dataDir: join(dir, 'data'),
    drivers: [{ id: 'field', type: 'mqtt' }],
    sensors: [...sensorIds, 'loss-warm'].map((sensorId) => ({ sensorId, metric: 'temperature', unit: 'C' })),
    buffer: { batchSize: 500, flushMs: 250, maxBytes: 64 * 1024 * 1024 },
    logging: { level: 'warn' },
  };
  const file = writeConfig(dir, config);

  // The center: a persistent QoS 1 subscriber straight on the central broker.
  const seen = new Set<number>();
  const seqs: number[] = [];
  const received: Array<{ sensorId: string; value: number }> = [];
  let duplicates = 0;
  let online = false;
  const center = await mqtt.connectAsync(central.url, { clientId: 'test-center', clean: false, protocolVersion: 4 });
  t.after(() => center.endAsync());
  center.on('message', (topic, payload) => {
    if (topic.endsWith('/status')) {
      online = (JSON.parse(payload.toString()) as { state: string }).state === 'online';
      return;
    }
    if (!topic.endsWith('/telemetry')) return;
    const msg = JSON.parse(payload.toString()) as Telemetry;
    if (seen.has(msg.seq)) {
      duplicates += 1;
      return;
    }
    seen.add(msg.seq);
    seqs.push(msg.seq);
    for (const r of msg.readings) received.push({ sensorId: r.sensorId, value: r.value });
  });
  await center.subscribeAsync('gwanje/v1/testsite/loss-agent/#', { qos: 1 });

  let agent = spawnAgent(file);
  t.after(() => agent.kill9());
  await waitFor(() => online, 20_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${agent.output()}`);
  });
  const sensors = await mqtt.connectAsync(field.url, { clientId: 'test-sensors', protocolVersion: 4 });
  t.after(() => sensors.endAsync());
  // Warm-up proves the whole path (field -> agent -> proxy -> center) before the outage.
  await sensors.publishAsync('sensors/loss-warm', JSON.stringify({ metric: 'temperature', value: 1, unit: 'C' }), {
    qos: 1,
  });
  await waitFor(() => received.some((r) => r.sensorId === 'loss-warm'), 10_000);
  received.length = 0;

  proxy.cut();
  const base = Date.now();
  // Published in windows of 50 rounds (500 messages in flight): fast, and still in order on the wire.
  const publishRounds = async (from: number, to: number) => {
    for (let w = from; w < to; w += 50) {
      const batch: Promise<unknown>[] = [];
      for (let i = w; i < Math.min(to, w + 50); i += 1) {
        for (const id of sensorIds) {
          const body = JSON.stringify({ metric: 'temperature', value: i, unit: 'C', ts: base + i });
          batch.push(sensors.publishAsync(`sensors/${id}`, body, { qos: 1 }));
        }
      }
      await Promise.all(batch);
    }
  };
  // The sensors publish in the background; the agent is killed -9 while it is ingesting them.
  const publishing = publishRounds(0, PER_SENSOR);
  const queueDir = join(dir, 'data', 'queue');
  await waitFor(() => queuedBytes(queueDir) > 700_000, 20_000); // about a third of the readings
  await agent.kill9();
  assert.equal(online, false, 'the broker published the last will when the link dropped');
  t.diagnostic(`killed -9 mid-ingest at ${Date.now() - base} ms (${queuedBytes(queueDir)} bytes queued)`);
  agent = spawnAgent(file);
  await publishing;
  assert.equal(received.length, 0, 'nothing crosses a cut uplink');
  t.diagnostic(`all published at ${Date.now() - base} ms`);

  proxy.restore();
  // A second kill -9 during the replay: batches in flight go out again under the same seq.
  await waitFor(() => received.length >= TOTAL / 4, 60_000).catch((err: Error) => {
    throw new Error(`${err.message}: received ${received.length}/${TOTAL}\n${agent.output()}`);
  });
  await agent.kill9();
  agent = spawnAgent(file);
  await waitFor(() => received.length >= TOTAL, 60_000).catch((err: Error) => {
    throw new Error(`${err.message}: received ${received.length}/${TOTAL}\n${agent.output()}`);
  });
  t.diagnostic(`all received at ${Date.now() - base} ms`);
  // Quiet period: any late duplicate (by reading, not by seq) would show up here.
  const settled = received.length;
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(received.length, settled);

  assert.equal(received.length, TOTAL, 'exactly 20,000 after seq de-duplication');
  const bySensor = new Map<string, number[]>();
  for (const r of received) bySensor.set(r.sensorId, [...(bySensor.get(r.sensorId) ?? []), r.value]);
  for (const id of sensorIds) {
    const values = bySensor.get(id) ?? [];
    assert.deepEqual(
      values,
      Array.from({ length: PER_SENSOR }, (_, i) => i),
      `${id}: every reading once, in order`,
    );
  }
  const sorted = [...seqs].sort((a, b) => a - b);
  assert.deepEqual(seqs, sorted, 'seq arrives in order');
  assert.equal(sorted[sorted.length - 1] - sorted[0], sorted.length - 1, 'seq rises by one per message');
  t.diagnostic(`telemetry messages ${seqs.length}, duplicates dropped by seq ${duplicates}`);
  await agent.stop();
});

function queuedBytes(dir: string): number {
  try {
    return readdirSync(dir)
      .filter((n) => n.endsWith('.log'))
      .reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  } catch {
    return 0;
  }
}
