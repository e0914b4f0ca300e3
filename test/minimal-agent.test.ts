/**
 * Issue 17 "The minimal-config agent", end to end: the real center (in this process, embedded
 * broker), a field Mosquitto, and the edge agent as its own process (`edge-agent/src/main.ts`)
 * with only the keys CONTRACT says an operator must set, plus one declared sensor with a range
 * and a calibration. A field sensor nobody declared reaches the center and is listed as
 * discovered; the declared one arrives calibrated, and beyond its range it is a fault.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AgentCredentials, Alarm, DiscoveredSensorView, LoginResponse, SensorView } from '@gwanje/protocol';
import mqtt from 'mqtt';
import { startTestCenter, type TestCenter } from '../control-api/test/support/center.js';
import { type AgentProcess, spawnAgent, writeConfig } from '../edge-agent/test/helpers/agent-process.js';
import { minimalAgentConfig } from '../testkit/agent-config.js';
import { freePort, jsonApi, type MosquittoInstance, startMosquitto, waitFor } from '../testkit/index.js';

const PASSWORD = 'minimal-Agent-center-9';
let center: TestCenter;
let field: MosquittoInstance;
let agent: AgentProcess;
let dir = '';
let token = '';
let healthPort = 0;
const api = jsonApi(() => center.base);

before(async () => {
  [center, field] = await Promise.all([startTestCenter({ password: PASSWORD }), startMosquitto()]);
  dir = mkdtempSync(join(tmpdir(), 'gwanje-minimal-agent-'));
  token = (await api<LoginResponse>('POST', '/api/v1/auth/login', undefined, { username: 'admin', password: PASSWORD }))
    .body.token;
  const reg = await api<AgentCredentials>('POST', '/api/v1/agents', token, { agentId: 'suwon-min-1', siteId: 'suwon' });
  assert.equal(reg.status, 201);
  const config = minimalAgentConfig({
    centralUrl: reg.body.mqtt.url,
    username: reg.body.mqtt.username,
    password: reg.body.mqtt.password,
    fieldUrl: field.url,
    dataDir: join(dir, 'data'),
  });
  healthPort = await freePort();
  agent = spawnAgent(writeConfig(dir, config), ['--health-port', String(healthPort)]);
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${healthPort}/healthz`).catch(() => undefined))?.status === 200,
    30_000,
    200,
  ).catch((e) => {
    throw new Error(`agent not healthy: ${e}\n${agent.output()}`);
  });
});

after(async () => {
  await agent?.stop();
  await field?.stop();
  await center?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function publish(sensorId: string, body: object): Promise<void> {
  const c = await mqtt.connectAsync(field.url, { protocolVersion: 4 });
  await c.publishAsync(`sensors/${sensorId}`, JSON.stringify(body), { qos: 1 });
  await c.endAsync();
}

const sensor = async (id: string) =>
  (await api<SensorView[]>('GET', '/api/v1/sensors?siteId=suwon', token)).body.find((s) => s.sensorId === id);

test('#17 an undeclared field sensor reaches the center and is listed as discovered', async () => {
  await publish('suwon-auto-1', { metric: 'gas', gas: 'CO', unit: 'ppm', value: 12 });
  await waitFor(async () => (await sensor('suwon-auto-1'))?.last?.value === 12, 20_000).catch((e) => {
    throw new Error(`${e}\n${agent.output()}`);
  });
  const s = await sensor('suwon-auto-1');
  // Registered for the agent that read it, described by the sensor itself.
  assert.deepEqual([s?.siteId, s?.agentId, s?.metric, s?.gas, s?.unit], ['suwon', 'suwon-min-1', 'gas', 'CO', 'ppm']);
  await waitFor(async () => {
    const d = await api<DiscoveredSensorView[]>('GET', '/api/v1/discovered-sensors?siteId=suwon', token);
    return d.body.some((x) => x.sensorId === 'suwon-auto-1' && x.agentId === 'suwon-min-1' && x.gas === 'CO');
  }, 20_000);
});

test('#17 a declared sensor keeps its calibration and range', async () => {
  // (22 - 2) * 0.5 = 10 %LEL at the center.
  await publish('suwon-decl-1', { metric: 'gas', gas: 'CH4', unit: '%LEL', value: 22 });
  await waitFor(async () => (await sensor('suwon-decl-1'))?.last?.value === 10, 20_000);
  // (250 - 2) * 0.5 = 124: beyond 0-100 (+10 %), so over-range: a sensor-fault alarm at the center.
  await publish('suwon-decl-1', { metric: 'gas', gas: 'CH4', unit: '%LEL', value: 250 });
  await waitFor(async () => {
    const alarms = (await api<Alarm[]>('GET', '/api/v1/alarms?siteId=suwon', token)).body;
    return alarms.some((a) => a.sourceId === 'suwon-decl-1' && a.type === 'sensor-fault');
  }, 20_000);
  const found = await api<DiscoveredSensorView[]>('GET', '/api/v1/discovered-sensors?siteId=suwon', token);
  assert.ok(!found.body.some((d) => d.sensorId === 'suwon-decl-1'), 'a declared sensor is not "discovered"');
});
