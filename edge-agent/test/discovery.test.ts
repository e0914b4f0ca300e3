/**
 * Issue 17 "Agents adopt self-describing sensors" (CONTRACT "Edge agent"), on real Mosquittos:
 * with only the keys an operator must set, the agent reads every sensor that describes itself on
 * field.url and reports a new one once as `sensor-discovered`; a declared sensor keeps its
 * calibration and range; `--strict` keeps the old behaviour. Plus the agent's /healthz and /metrics.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import type { AgentEvent, Telemetry } from '@gwanje/protocol';
import mqtt from 'mqtt';
import pino from 'pino';
import { minimalAgentConfig } from '../../testkit/agent-config.js';
import { type MosquittoInstance, startMosquitto, waitFor } from '../../testkit/index.js';
import { EdgeAgent } from '../src/agent.js';
import { resolveConfig } from '../src/config.js';
import { SensorDiscovery } from '../src/discovery.js';
import { HealthServer, healthReport, metricsText } from '../src/health-server.js';

const log = pino({ level: 'silent' });

const minimalConfig = (central: string, field: string, dataDir: string, declared = true) =>
  minimalAgentConfig({ centralUrl: central, fieldUrl: field, dataDir, declared });

/** Collects what the agent sends to the center. */
async function listen(central: MosquittoInstance) {
  const c = await mqtt.connectAsync(central.url, { protocolVersion: 4 });
  const readings: Telemetry['readings'] = [];
  const events: AgentEvent[] = [];
  c.on('message', (topic, payload) => {
    const msg = JSON.parse(payload.toString());
    if (topic.endsWith('/telemetry')) readings.push(...(msg as Telemetry).readings);
    if (topic.endsWith('/events')) events.push(msg as AgentEvent);
  });
  await c.subscribeAsync('gwanje/v1/suwon/suwon-min-1/#', { qos: 1 });
  return { readings, events, close: () => c.endAsync() };
}

/** A central and a field Mosquitto, what reaches the center, a field publisher; cleaned up after `t`. */
async function rig(t: TestContext, prefix: string) {
  const [central, field] = await Promise.all([startMosquitto(), startMosquitto()]);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const seen = await listen(central);
  const sensorsPub = await mqtt.connectAsync(field.url, { protocolVersion: 4 });
  const agents: EdgeAgent[] = [];
  t.after(async () => {
    for (const a of agents) await a.stop();
    await seen.close();
    await sensorsPub.endAsync();
    await Promise.all([central.stop(), field.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });
  const pub = (id: string, body: object) => sensorsPub.publishAsync(`sensors/${id}`, JSON.stringify(body), { qos: 1 });
  /** Starts an agent and waits until it reaches both brokers. */
  const run = async (config: object, opts: { strict?: boolean } = {}) => {
    const agent = new EdgeAgent(config, { log, ...opts });
    agents.push(agent);
    await agent.start();
    await waitFor(() => agent.health().drivers.every((d) => d.connected) && agent.centralConnected, 15_000);
    return agent;
  };
  const stop = async (agent: EdgeAgent) => {
    agents.splice(agents.indexOf(agent), 1);
    await agent.stop();
  };
  return { central, field, dir, seen, pub, run, stop };
}

test('with no driver declared the field broker is the default driver; --strict declares none', () => {
  const c = minimalConfig('mqtt://c', 'mqtt://f', '/tmp/x', false);
  assert.deepEqual(resolveConfig(c).drivers, [{ id: 'field', type: 'mqtt' }]);
  assert.deepEqual(resolveConfig(c, { strict: true }).drivers, []);
  // --strict with sensors and no driver to read them is an error, not a silent agent.
  assert.throws(
    () => resolveConfig(minimalConfig('mqtt://c', 'mqtt://f', '/tmp/x'), { strict: true }),
    /sensors\.0\.driver: no driver configured to read this sensor \(--strict\)/,
  );
  // Declared drivers are left as they are.
  const modbus = { ...c, drivers: [{ id: 'm', type: 'modbus-tcp', host: 'plc' }] };
  assert.equal(resolveConfig(modbus).drivers.length, 1);
});

test('SensorDiscovery keeps what it adopted across restarts, reports changes, and is bounded', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-discovery-'));
  try {
    const d = new SensorDiscovery(dir, 2);
    assert.equal(d.adopt('a', { metric: 'gas', gas: 'CO', unit: 'ppm' }, 'field')?.changed, true);
    assert.equal(d.adopt('a', { metric: 'gas', gas: 'CO', unit: 'ppm' }, 'field')?.changed, false);
    const again = new SensorDiscovery(dir, 2);
    assert.equal(again.load(), undefined);
    assert.equal(again.adopt('a', { metric: 'gas', gas: 'CO', unit: 'ppm' }, 'field')?.changed, false);
    assert.equal(again.adopt('a', { metric: 'gas', gas: 'H2S', unit: 'ppm' }, 'field')?.changed, true);
    assert.ok(again.adopt('b', { metric: 'flame', unit: 'bool' }, 'field'));
    assert.equal(again.adopt('c', { metric: 'flame', unit: 'bool' }, 'field'), undefined);
    assert.equal(again.refused, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('#17 minimal-config agent: an undeclared field sensor is read and reported once, a declared one keeps its calibration and range', {
  timeout: 60_000,
}, async (t) => {
  const { central, field, dir, seen, pub, run, stop } = await rig(t, 'gwanje-min-agent-');
  let agent = await run(minimalConfig(central.url, field.url, dir));
  const health = new HealthServer({ host: '127.0.0.1', port: 0, health: () => agent.health() });
  const port = await health.start();
  t.after(() => health.stop());

  await pub('suwon-auto-1', { metric: 'gas', gas: 'H2S', unit: 'ppm', value: 3.5 });
  await pub('suwon-decl-1', { metric: 'gas', gas: 'CH4', unit: '%LEL', value: 22 });
  await pub('suwon-decl-1', { metric: 'gas', gas: 'CH4', unit: '%LEL', value: 250 });
  await pub('suwon-auto-1', { metric: 'gas', gas: 'H2S', unit: 'ppm', value: 4 });
  await waitFor(() => seen.readings.length >= 4 && seen.events.length >= 1, 15_000);

  const auto = seen.readings.filter((r) => r.sensorId === 'suwon-auto-1');
  assert.deepEqual(
    auto.map((r) => [r.value, r.unit, r.gas, r.quality]),
    [
      [3.5, 'ppm', 'H2S', 'good'],
      [4, 'ppm', 'H2S', 'good'],
    ],
  );
  const decl = seen.readings.filter((r) => r.sensorId === 'suwon-decl-1');
  // (22 - 2) * 0.5 = 10; (250 - 2) * 0.5 = 124 is beyond 0-100 + 10 %: over-range.
  assert.deepEqual(
    decl.map((r) => [r.value, r.quality, r.fault]),
    [
      [10, 'good', undefined],
      [124, 'fault', 'over-range'],
    ],
  );
  const discovered = seen.events.filter((e) => e.type === 'sensor-discovered');
  assert.equal(discovered.length, 1);
  assert.deepEqual(
    { ...discovered[0], ts: 0 },
    {
      type: 'sensor-discovered',
      sourceId: 'suwon-auto-1',
      ts: 0,
      metric: 'gas',
      gas: 'H2S',
      unit: 'ppm',
      driver: 'field',
    },
  );

  // The agent's own /healthz and /metrics.
  const hz = await fetch(`http://127.0.0.1:${port}/healthz`);
  assert.equal(hz.status, 200);
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  assert.match(metrics, /^gwanje_edge_sensors_discovered 1$/m);
  assert.match(metrics, /^gwanje_edge_readings_accepted_total 4$/m);
  assert.match(metrics, /^gwanje_edge_field_connected\{driver="field"\} 1$/m);

  // Restarted: the adopted sensor is read at once and not reported again.
  await stop(agent);
  agent = await run(minimalConfig(central.url, field.url, dir));
  await pub('suwon-auto-1', { metric: 'gas', gas: 'H2S', unit: 'ppm', value: 5 });
  await waitFor(() => seen.readings.some((r) => r.sensorId === 'suwon-auto-1' && r.value === 5), 15_000);
  assert.equal(seen.events.filter((e) => e.type === 'sensor-discovered').length, 1);

  // The central link down: /healthz says so (503) while the agent keeps reading.
  await central.stop();
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 503, 15_000);
  const down = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { failing: string[] };
  assert.deepEqual(down.failing, ['central']);
});

test('--strict: an undeclared sensor is dropped as unknown-sensor and nothing is reported', {
  timeout: 60_000,
}, async (t) => {
  const { central, field, dir, seen, pub, run } = await rig(t, 'gwanje-strict-agent-');
  const config = { ...minimalConfig(central.url, field.url, dir), drivers: [{ id: 'field', type: 'mqtt' }] };
  const agent = await run(config, { strict: true });
  await pub('suwon-auto-1', { metric: 'gas', unit: 'ppm', value: 1 });
  await pub('suwon-decl-1', { metric: 'gas', gas: 'CH4', unit: '%LEL', value: 22 });
  await waitFor(() => seen.readings.length >= 1, 15_000);
  await waitFor(() => agent.health().drivers[0].rejected['unknown-sensor'] === 1, 5_000);
  assert.deepEqual(
    seen.readings.map((r) => r.sensorId),
    ['suwon-decl-1'],
  );
  assert.equal(agent.stats().discovered, 0);
  assert.equal(seen.events.filter((e) => e.type === 'sensor-discovered').length, 0);
});

test('health report and metrics text (pure)', () => {
  assert.deepEqual(healthReport(undefined), { status: 503, body: { status: 'down', failing: ['agent'] } });
  const h = {
    uptimeS: 5,
    centralConnected: true,
    drivers: [{ id: 'field', connected: false, rejected: { 'unknown-sensor': 2 } }],
    stats: { accepted: 3, forwarded: 2, buffered: 1, dropped: 0, seq: 7, duplicates: 0, discovered: 1 },
    localAlarms: 0,
    localTrips: 1,
  };
  const r = healthReport(h);
  assert.equal(r.status, 503);
  assert.deepEqual(r.body.failing, ['field:field']);
  const text = metricsText(h, 1234);
  assert.match(text, /^gwanje_edge_field_rejected_total\{driver="field",reason="unknown-sensor"\} 2$/m);
  assert.match(text, /^# TYPE gwanje_edge_readings_buffered gauge$/m);
  assert.match(text, /^process_resident_memory_bytes 1234$/m);
});
