/**
 * Issue 5 "Local fail-safe": a trip drives the siren output on the field broker within 500 ms
 * with the WAN down, and the `local-alarm` events reach the center once the link returns, even
 * across an agent restart during the outage.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import mqtt from 'mqtt';
import pino from 'pino';
import { startMosquitto, waitFor } from '../../testkit/index.js';
import { EdgeAgent } from '../src/agent.js';
import { LocalFailSafe, type OutputCommand } from '../src/failsafe.js';
import { startTcpProxy } from './helpers/proxy.js';

const log = pino({ level: 'silent' });

test('gas-high and flame trip the siren within 500 ms while the uplink is cut', { timeout: 60_000 }, async (t) => {
  const field = await startMosquitto();
  const central = await startMosquitto();
  const proxy = await startTcpProxy(central.port);
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-failsafe-'));
  t.after(async () => {
    await proxy.close();
    await field.stop();
    await central.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  proxy.cut(); // the WAN is down from the start: the agent never reaches the center before the trip
  const config = {
    siteId: 'testsite',
    agentId: 'fs-agent',
    central: { url: proxy.url, username: 'fs-agent', password: 'pw' },
    field: { url: field.url },
    dataDir: dir,
    drivers: [{ id: 'field', type: 'mqtt' }],
    sensors: [
      { sensorId: 'fs-ch4', metric: 'gas', gas: 'CH4', unit: '%LEL' },
      { sensorId: 'fs-flame', metric: 'flame', unit: 'bool' },
    ],
    outputs: [{ id: 'siren', type: 'mqtt', topic: 'relays/siren' }],
  };
  let agent = new EdgeAgent(config, { log });
  await agent.start();
  t.after(() => agent.stop());

  const relay = await mqtt.connectAsync(field.url, { clientId: 'test-relay', protocolVersion: 4 });
  t.after(() => relay.endAsync());
  const commands: Array<OutputCommand & { at: number }> = [];
  relay.on('message', (_topic, payload) =>
    commands.push({ ...(JSON.parse(payload.toString()) as OutputCommand), at: Date.now() }),
  );
  await relay.subscribeAsync('relays/siren', { qos: 1 });
  const sensor = await mqtt.connectAsync(field.url, { clientId: 'test-detector', protocolVersion: 4 });
  t.after(() => sensor.endAsync());
  const send = (id: string, body: object) => sensor.publishAsync(`sensors/${id}`, JSON.stringify(body), { qos: 1 });

  // Normal reading first: the agent's field session is up once it has been accepted.
  await send('fs-ch4', { metric: 'gas', gas: 'CH4', value: 1, unit: '%LEL' });
  await waitFor(() => agent.stats().accepted === 1, 10_000);
  assert.equal(commands.length, 0, 'no output for a normal reading');

  let sentAt = Date.now();
  await send('fs-ch4', { metric: 'gas', gas: 'CH4', value: 40, unit: '%LEL' });
  await waitFor(() => commands.length === 1, 2000);
  const gasLatency = commands[0].at - sentAt;
  assert.deepEqual(
    { ...commands[0], at: 0, ts: 0 },
    { on: true, reason: 'gas-high', sensorId: 'fs-ch4', at: 0, ts: 0 },
  );
  assert.ok(gasLatency < 500, `siren on ${gasLatency} ms after the gas reading`);

  sentAt = Date.now();
  await send('fs-flame', { metric: 'flame', value: 1, unit: 'bool' });
  await waitFor(() => commands.length === 2, 2000);
  const flameLatency = commands[1].at - sentAt;
  assert.equal(commands[1].reason, 'flame');
  assert.ok(flameLatency < 500, `siren on ${flameLatency} ms after the flame`);
  t.diagnostic(`fail-safe latency: gas ${gasLatency} ms, flame ${flameLatency} ms (WAN cut)`);

  // Gas back to normal (below 25 - 2.5 deadband) while the flame is still on: the siren stays on.
  await send('fs-ch4', { metric: 'gas', gas: 'CH4', value: 3, unit: '%LEL' });
  await send('fs-flame', { metric: 'flame', value: 0, unit: 'bool' });
  await waitFor(() => commands.length === 3, 2000);
  assert.equal(commands[2].on, false);
  assert.equal(commands[2].sensorId, 'fs-flame', 'off only when the last trip clears');
  assert.deepEqual(agent.localAlarms(), []);

  // The agent restarts while the WAN is still down: the local-alarm events are on disk.
  await agent.stop();
  agent = new EdgeAgent(config, { log });
  await agent.start();

  // The WAN comes back: the center learns what happened locally.
  const center = await mqtt.connectAsync(central.url, { clientId: 'test-center-fs', protocolVersion: 4 });
  t.after(() => center.endAsync());
  const events: Array<{ type: string; sourceId: string; state: string }> = [];
  center.on('message', (_t, p) => events.push(JSON.parse(p.toString())));
  await center.subscribeAsync('gwanje/v1/testsite/fs-agent/events', { qos: 1 });
  proxy.restore();
  await waitFor(() => events.length >= 4, 15_000);
  assert.deepEqual(
    events.map((e) => `${e.type} ${e.sourceId} ${e.state}`),
    [
      'local-alarm fs-ch4 active',
      'local-alarm fs-flame active',
      'local-alarm fs-ch4 cleared',
      'local-alarm fs-flame cleared',
    ],
  );
});

test('LocalFailSafe: deadband prevents chatter around the setpoint', () => {
  const outs: OutputCommand[] = [];
  const fs = new LocalFailSafe(
    {
      sensors: [{ sensorId: 'g', metric: 'gas', gas: 'CH4', unit: '%LEL' }],
      outputs: [{ id: 'o', type: 'mqtt', topic: 'x' }],
    },
    { log, publishOutput: (_t, c) => outs.push(c), publishEvent: () => {} },
  );
  const r = (value: number, quality: 'good' | 'fault' = 'good') =>
    fs.evaluate({ sensorId: 'g', metric: 'gas', gas: 'CH4', unit: '%LEL', value, ts: 1e12, quality }, 1e12);
  for (const v of [24.9, 25, 24, 23, 25.5, 22.6, 22.4, 30]) r(v);
  assert.deepEqual(
    outs.map((o) => o.on),
    [true, false, true],
    'on at 25, held down to 22.5 (10 % deadband), on again at 30',
  );
  r(0, 'fault');
  assert.equal(outs.length, 3, 'a faulted reading neither trips nor clears');
});
