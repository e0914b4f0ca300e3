/**
 * Issue 15 end to end, as the issue was found: a real edge agent process (edge-agent/src/main.ts)
 * with a field Mosquitto and a Modbus TCP gas transmitter, connected to the center (in this
 * process: the real Center with its embedded broker). A CH4 transmitter on a 0-100 %LEL range
 * pegged at 150 %LEL, once as an MQTT field sensor's value and once as a Modbus count above span,
 * must drive the site's siren output and raise gas-high priority 1 on `/live`, exactly like
 * 60 %LEL does. (Before: only a priority 2 sensor-fault, and no siren.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AgentCredentials, Alarm, SensorConfigView } from '@gwanje/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { startTestCenter, type TestCenter } from '../control-api/test/support/center.js';
import { type AgentProcess, spawnAgent, writeConfig } from '../edge-agent/test/helpers/agent-process.js';
import {
  type ModbusTransmitter,
  type MosquittoInstance,
  startModbusTransmitter,
  startMosquitto,
  waitFor,
} from '../testkit/index.js';

const PASSWORD = 'pegged-Transmitter-15!';
const AGENT = 'peg-agent';
const dir = mkdtempSync(join(tmpdir(), 'gwanje-pegged-'));
let center: TestCenter;
let field: MosquittoInstance;
let transmitter: ModbusTransmitter;
let agentProc: AgentProcess;
let relay: MqttClient;
let detector: MqttClient;
let socket: Socket;
let token = '';
const live: Array<Alarm & { at: number }> = [];
const siren: Array<{ on: boolean; reason: string; sensorId: string; at: number }> = [];

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${center.base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
  return (await res.json()) as T;
}

before(async () => {
  center = await startTestCenter({ password: PASSWORD });
  const login = await fetch(`${center.base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  token = ((await login.json()) as { token: string }).token;
  const creds = await api<AgentCredentials>('POST', '/agents', { agentId: AGENT, siteId: 'suwon' });
  field = await startMosquitto();
  transmitter = await startModbusTransmitter();
  transmitter.setHolding(0, 800); // 4 mA: 0 %LEL
  const config = {
    siteId: 'suwon',
    agentId: AGENT,
    central: { url: creds.mqtt.url, username: creds.mqtt.username, password: creds.mqtt.password },
    field: { url: field.url },
    dataDir: join(dir, 'agent'),
    drivers: [
      { id: 'field', type: 'mqtt' },
      { id: 'bus', type: 'modbus-tcp', host: transmitter.host, port: transmitter.port, pollMs: 200, timeoutMs: 1000 },
    ],
    sensors: [
      { sensorId: 'peg-ch4', metric: 'gas', gas: 'CH4', unit: '%LEL', range: { min: 0, max: 100 }, intervalMs: 1000 },
      {
        sensorId: 'peg-mb',
        metric: 'gas',
        gas: 'CH4',
        unit: '%LEL',
        driver: 'bus',
        range: { min: 0, max: 100 },
        intervalMs: 1000,
        // 4-20 mA as 800..4000 counts in holding register 40001.
        address: { unitId: 1, register: 40001, rawMin: 800, rawMax: 4000 },
      },
    ],
    outputs: [{ id: 'siren', type: 'mqtt', topic: 'relays/siren' }],
    logging: { level: 'warn' },
  };
  agentProc = spawnAgent(writeConfig(dir, config));
  relay = await mqtt.connectAsync(field.url, { clientId: 'peg-relay', protocolVersion: 4 });
  relay.on('message', (_t, p) => siren.push({ ...JSON.parse(p.toString()), at: Date.now() }));
  await relay.subscribeAsync('relays/siren', { qos: 1 });
  detector = await mqtt.connectAsync(field.url, { clientId: 'peg-detector', protocolVersion: 4 });
  socket = io(`${center.base}/live`, { auth: { token }, transports: ['websocket'] });
  socket.on('alarm', (a: Alarm) => live.push({ ...a, at: Date.now() }));
  // The agent is up once its sensors report reaches the center with their range.
  await waitFor(async () => {
    const list = await api<SensorConfigView[]>('GET', '/sensors?siteId=suwon');
    return list.filter((s) => s.range?.max === 100 && s.rangeSource === 'agent').length === 2;
  }, 30_000).catch((err) => {
    throw new Error(`${String(err)}\n${agentProc.output()}`);
  });
});

after(async () => {
  socket?.disconnect();
  await detector?.endAsync();
  await relay?.endAsync();
  await agentProc?.stop();
  await transmitter?.stop();
  await field?.stop();
  await center?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const gasHigh = (sensorId: string) => live.find((a) => a.sourceId === sensorId && a.type === 'gas-high');

test('#15 150 %LEL on a 0-100 range (MQTT field sensor) raises gas-high P1 on /live and the siren', async () => {
  const sent = Date.now();
  const body = { metric: 'gas', gas: 'CH4', value: 150, unit: '%LEL' };
  await detector.publishAsync('sensors/peg-ch4', JSON.stringify(body), { qos: 1 });
  await waitFor(() => siren.some((s) => s.on && s.sensorId === 'peg-ch4'), 5_000);
  const on = siren.find((s) => s.on && s.sensorId === 'peg-ch4');
  assert.equal(on?.reason, 'gas-high');
  // Held past the 1 s on-delay of gas-high at the center.
  await new Promise((r) => setTimeout(r, 1200));
  await detector.publishAsync('sensors/peg-ch4', JSON.stringify(body), { qos: 1 });
  await waitFor(() => gasHigh('peg-ch4') !== undefined, 10_000);
  const alarm = gasHigh('peg-ch4') as Alarm & { at: number };
  assert.equal(alarm.priority, 1);
  assert.equal(alarm.latched, true);
  assert.equal(alarm.value, 150);
  await waitFor(() => live.some((a) => a.sourceId === 'peg-ch4' && a.type === 'sensor-fault'), 10_000);
  console.log(
    `pegged (MQTT): siren ${(on?.at ?? 0) - sent} ms, /live gas-high ${alarm.at - sent} ms after the first reading`,
  );
});

test('#15 a Modbus count above span (150 %LEL as 5600 counts) raises gas-high P1 on /live and the siren', async () => {
  const set = Date.now();
  transmitter.setHolding(0, 5600);
  await waitFor(() => siren.some((s) => s.on && s.sensorId === 'peg-mb'), 5_000);
  const on = siren.find((s) => s.on && s.sensorId === 'peg-mb');
  assert.equal(on?.reason, 'gas-high');
  await waitFor(() => gasHigh('peg-mb') !== undefined, 10_000);
  const alarm = gasHigh('peg-mb') as Alarm & { at: number };
  assert.equal(alarm.priority, 1);
  assert.ok((alarm.value ?? 0) > 100, `value ${alarm.value}`);
  await waitFor(() => live.some((a) => a.sourceId === 'peg-mb' && a.type === 'sensor-fault'), 10_000);
  const fault = live.find((a) => a.sourceId === 'peg-mb' && a.type === 'sensor-fault');
  assert.equal(fault?.facts?.code, 'over-range');
  console.log(
    `pegged (Modbus): siren ${(on?.at ?? 0) - set} ms, /live gas-high ${alarm.at - set} ms after the count changed`,
  );
});
