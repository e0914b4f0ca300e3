/**
 * Issue 15 against the whole center (in-process, embedded broker and time-series store, real
 * SQLite), driven as an agent and an admin would: the agent's `sensors` report gives the center
 * each sensor's range; a pegged transmitter (150 %LEL on 0-100) raises gas-high P1 on /live; an
 * unknown toxic gas raises a `config` warning until an admin sets its limits; typed rules are a
 * 400 naming the field; a range from the agent cannot be overridden; a quiet sensor goes out of
 * service for a bump test and back, journaled; a closed alarm takes a comment; after a restart a
 * silent sensor goes stale and an 8-hour TWA continues from the stored readings.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AgentCredentials, Alarm, JournalEntry, SensorReport } from '@gwanje/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { waitFor } from '../../../testkit/index.js';
import { startTestCenter, type TestCenter } from '../support/center.js';

const PASSWORD = 'gas-Safety-c0ntrol-15!';
const AGENT = 'gas15-agent';
const dataDir = mkdtempSync(join(tmpdir(), 'gwanje-gas15-'));
let center: TestCenter;
let token = '';
let agent: MqttClient;
let creds: AgentCredentials;
let seq = 0;
let socket: Socket;
const live: Alarm[] = [];

/** What the tests read of an answer: the error body, or fields checked with assert. */
interface ApiJson {
  error: { code: string; message: string; field?: string };
  [k: string]: unknown;
}

/** GET /sensors items (CONTRACT SensorView plus the issue 15 configuration). */
interface SensorJson {
  sensorId: string;
  state: string;
  range?: { min: number; max: number };
  rangeSource?: string;
  configVersion?: string;
  intervalMs?: number;
  last?: { value: number; ts: number };
  effectiveRules: { type: string; setpoint: number; origin: string }[];
  warnings: string[];
}

const sensors = async (): Promise<SensorJson[]> =>
  (await api('GET', '/sensors?siteId=suwon')).json as unknown as SensorJson[];
const sensorOf = async (id: string): Promise<SensorJson | undefined> =>
  (await sensors()).find((x) => x.sensorId === id);

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: ApiJson }> {
  const res = await fetch(`${center.base}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function boot(): Promise<void> {
  center = await startTestCenter({ password: PASSWORD, dataDir });
  const login = await fetch(`${center.base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  token = ((await login.json()) as { token: string }).token;
  socket = io(`${center.base}/live`, { auth: { token }, transports: ['websocket'] });
  socket.on('alarm', (a: Alarm) => live.push(a));
  await new Promise<void>((resolve, reject) => {
    socket.once('alarms:snapshot', () => resolve());
    socket.once('connect_error', reject);
  });
}

async function connectAgent(): Promise<void> {
  agent = await mqtt.connectAsync(`mqtt://127.0.0.1:${center.mqttPort}`, {
    username: creds.mqtt.username,
    password: creds.mqtt.password,
    clientId: creds.mqtt.clientId ?? AGENT,
    protocolVersion: 4,
  });
}

const prefix = `gwanje/v1/suwon/${AGENT}`;

async function telemetry(readings: object[]): Promise<void> {
  seq += 1;
  await agent.publishAsync(`${prefix}/telemetry`, JSON.stringify({ agentId: AGENT, seq, readings }), { qos: 1 });
}

const ch4 = (value: number, ts: number, extra: object = {}) => ({
  sensorId: 'gas15-ch4',
  metric: 'gas',
  gas: 'CH4',
  value,
  unit: '%LEL',
  ts,
  quality: 'good',
  ...extra,
});
const co = (value: number, ts: number, sensorId = 'gas15-co') => ({
  sensorId,
  metric: 'gas',
  gas: 'CO',
  value,
  unit: 'ppm',
  ts,
  quality: 'good',
});

const report: SensorReport = {
  agentId: AGENT,
  configVersion: 'cfg-15',
  ts: Date.now(),
  sensors: [
    { sensorId: 'gas15-ch4', metric: 'gas', gas: 'CH4', unit: '%LEL', range: { min: 0, max: 100 }, intervalMs: 1000 },
    { sensorId: 'gas15-co', metric: 'gas', gas: 'CO', unit: 'ppm', range: { min: 0, max: 500 }, intervalMs: 1000 },
    { sensorId: 'gas15-xyz', metric: 'gas', gas: 'XYZ', unit: 'ppm', intervalMs: 1000, source: 'discovered' },
    // A CO sensor reporting once a minute (its readings are held a minute each in the TWA).
    { sensorId: 'gas15-cotwa', metric: 'gas', gas: 'CO', unit: 'ppm', range: { min: 0, max: 500 }, intervalMs: 60_000 },
  ],
};

const alarmsOf = async (sourceId: string): Promise<Alarm[]> =>
  ((await api('GET', '/alarms?limit=200')).json as unknown as Alarm[]).filter((a) => a.sourceId === sourceId);

before(async () => {
  await boot();
  const r = await api('POST', '/agents', { agentId: AGENT, siteId: 'suwon' });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  creds = r.json as unknown as AgentCredentials;
  await connectAgent();
  await agent.publishAsync(`${prefix}/sensors`, JSON.stringify(report), { qos: 1, retain: true });
  await waitFor(async () => (await sensors()).length === 4, 10_000);
});

after(async () => {
  socket?.disconnect();
  await agent?.endAsync();
  await center?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('#15 the center learns range, rules and config version from the agent report', async () => {
  const s = (await sensorOf('gas15-ch4')) as SensorJson;
  assert.deepEqual(s.range, { min: 0, max: 100 });
  assert.equal(s.rangeSource, 'agent');
  assert.equal(s.configVersion, 'cfg-15');
  assert.equal(s.intervalMs, 1000);
  assert.deepEqual(
    s.effectiveRules.filter((r) => r.type.startsWith('gas-')).map((r) => [r.type, r.setpoint, r.origin]),
    [
      ['gas-low', 10, 'default'],
      ['gas-high', 25, 'default'],
    ],
  );
});

test('#15 150 %LEL on a 0-100 range raises gas-high P1 (latched) and sensor-fault on /live', async () => {
  const t0 = Date.now();
  await telemetry([ch4(150, t0, { quality: 'fault', fault: 'over-range' })]);
  await telemetry([ch4(150, t0 + 1100, { quality: 'fault', fault: 'over-range' })]);
  await waitFor(() => live.some((a) => a.sourceId === 'gas15-ch4' && a.type === 'gas-high'), 10_000);
  const high = live.find((a) => a.sourceId === 'gas15-ch4' && a.type === 'gas-high') as Alarm;
  assert.equal(high.priority, 1);
  assert.equal(high.latched, true);
  assert.equal(high.value, 150);
  assert.deepEqual(
    { gas: high.facts?.gas, unit: high.facts?.unit, value: high.facts?.value, setpoint: high.facts?.setpoint },
    { gas: 'CH4', unit: '%LEL', value: 150, setpoint: 25 },
  );
  await waitFor(() => live.some((a) => a.sourceId === 'gas15-ch4' && a.type === 'sensor-fault'), 10_000);
  const fault = live.find((a) => a.sourceId === 'gas15-ch4' && a.type === 'sensor-fault') as Alarm;
  assert.equal(fault.facts?.code, 'over-range');
});

test('#15 a value beyond the learned range is over-range at the center even when the agent marks it good', async () => {
  const t0 = Date.now();
  // 100.5 %LEL as "good" (an older agent): the center knows the range from the report.
  await telemetry([{ ...ch4(100.5, t0), sensorId: 'gas15-ch4b' }]);
  await agent.publishAsync(
    `${prefix}/sensors`,
    JSON.stringify({
      ...report,
      sensors: [...report.sensors, { ...report.sensors[0], sensorId: 'gas15-ch4b' }],
    }),
    { qos: 1, retain: true },
  );
  await waitFor(async () => (await sensorOf('gas15-ch4b'))?.range !== undefined, 10_000);
  await telemetry([{ ...ch4(100.5, t0 + 1000), sensorId: 'gas15-ch4b' }]);
  await waitFor(
    () => live.some((a) => a.sourceId === 'gas15-ch4b' && a.type === 'sensor-fault' && a.facts?.code === 'over-range'),
    10_000,
  );
});

test('#15 an unknown toxic gas raises a config warning until an admin sets its limits', async () => {
  await waitFor(
    async () => (await alarmsOf('gas15-xyz')).some((a) => a.type === 'config' && a.state !== 'normal'),
    10_000,
  );
  const warn = (await alarmsOf('gas15-xyz')).find((a) => a.type === 'config') as Alarm;
  assert.equal(warn.facts?.reason, 'unknown-gas');
  assert.deepEqual((await sensorOf('gas15-xyz'))?.warnings, ['unknown-gas']);
  const r = await api('PATCH', '/sensors/gas15-xyz', {
    rules: [
      { type: 'gas-low', setpoint: 5 },
      { type: 'gas-high', setpoint: 20 },
    ],
  });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.deepEqual(r.json.warnings, []);
  await waitFor(async () => {
    const a = (await alarmsOf('gas15-xyz')).find((x) => x.type === 'config');
    return a?.state === 'rtn-unack' || a?.state === 'normal';
  }, 10_000);
});

test('#15 typed rules: unknown type, out of range, low above high, TWA above STEL are 400s naming the field', async () => {
  const cases: [string, object, string, RegExp][] = [
    ['gas15-ch4', { rules: [{ type: 'twa', setpoint: 10 }] }, 'rules.0.type', /unknown rule type "twa"/],
    ['gas15-ch4', { rules: [{ type: 'gas-twa', setpoint: 10 }] }, 'rules.0.type', /does not apply/],
    [
      'gas15-ch4',
      { rules: [{ type: 'gas-high', setpoint: 120 }] },
      'rules.0.setpoint',
      /outside the sensor's range 0\.\.100/,
    ],
    [
      'gas15-ch4',
      { rules: [{ type: 'gas-low', setpoint: 30 }] },
      'rules.0.setpoint',
      /gas-low 30 must be below gas-high 25/,
    ],
    [
      'gas15-co',
      { rules: [{ type: 'gas-twa', setpoint: 250 }] },
      'rules.0.setpoint',
      /gas-twa 250 must not be above gas-stel 200/,
    ],
  ];
  for (const [id, body, field, message] of cases) {
    const r = await api('PATCH', `/sensors/${id}`, body);
    assert.equal(r.status, 400, JSON.stringify(r.json));
    assert.equal(r.json.error.field, field);
    assert.match(r.json.error.message, message);
  }
  const range = await api('PATCH', '/sensors/gas15-ch4', { range: { min: 0, max: 50 } });
  assert.equal(range.status, 409);
  assert.equal(range.json.error.field, 'range');
  const own = await api('PATCH', '/sensors/gas15-xyz', { range: { min: 0, max: 200 } });
  assert.equal(own.status, 200, JSON.stringify(own.json));
  assert.deepEqual([own.json.range, own.json.rangeSource], [{ min: 0, max: 200 }, 'admin']);
});

test('#15 a quiet sensor goes out of service for a bump test and returns; journaled and audited', async () => {
  const out = await api('POST', '/sensors/gas15-co/out-of-service', { reason: 'bump test' });
  assert.equal(out.status, 200, JSON.stringify(out.json));
  assert.equal(out.json.state, 'out-of-service');
  assert.equal((out.json.outOfService as { reason: string }).reason, 'bump test');
  // The test gas: 250 ppm for a few seconds, then clean air.
  const t0 = Date.now();
  for (let i = 0; i < 4; i++) await telemetry([co(250, t0 + i * 1000)]);
  await waitFor(async () => (await alarmsOf('gas15-co')).some((a) => a.type === 'gas-high'), 10_000);
  const during = (await alarmsOf('gas15-co')).find((a) => a.type === 'gas-high') as Alarm;
  assert.equal(during.state, 'out-of-service', 'recorded, never announced as live');
  for (let i = 4; i < 14; i++) await telemetry([co(0, t0 + i * 1000)]);
  await waitFor(async () => {
    const a = (await api('GET', `/alarms/${during.id}`)).json as unknown as Alarm;
    return a.active === false;
  }, 15_000);
  const back = await api('POST', '/sensors/gas15-co/return-to-service', { comment: 'bump test passed' });
  assert.equal(back.status, 200, JSON.stringify(back.json));
  assert.equal(back.json.outOfService, undefined);
  const detail = (await api('GET', `/alarms/${during.id}`)).json as unknown as Alarm & { journal: JournalEntry[] };
  assert.equal(detail.state, 'normal', 'the bump-test alarm closes once its gas is gone');
  assert.deepEqual(
    detail.journal.map((j) => j.action).filter((a) => a !== 'clear'),
    ['raise', 'return-to-service'],
  );
  const audit = await api('GET', '/audit?action=sensor.out-of-service&limit=5');
  assert.match(JSON.stringify(audit.json), /bump test/);
  const again = await api('POST', '/sensors/gas15-co/return-to-service', {});
  assert.equal(again.status, 409);
});

test('#15 a closed alarm takes a comment (journaled)', async () => {
  const closed = (await api('GET', '/alarms?state=normal&limit=200')).json as unknown as Alarm[];
  const a = closed.find((x) => x.sourceId === 'gas15-co') as Alarm;
  assert.ok(a, 'a closed alarm to comment on');
  const r = await api('POST', `/alarms/${a.id}/comment`, { text: 'span gas 250 ppm CO, response 28 s' });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const detail = (await api('GET', `/alarms/${a.id}`)).json as unknown as { journal: JournalEntry[] };
  assert.equal(detail.journal.at(-1)?.comment, 'span gas 250 ppm CO, response 28 s');
});

test('#15 after a restart: a silent sensor goes stale after 3 intervals, and the 8-hour TWA continues', async () => {
  // CO at 70 ppm for 3 h (TWA 30: the 8-hour average is 26.25, no gas-twa yet) ...
  const now = Date.now();
  const h = 3_600_000;
  for (let t = now - 4 * h; t < now - h; t += 60_000 * 20) {
    const batch = [];
    for (let k = 0; k < 20; k++) batch.push(co(70, t + k * 60_000, 'gas15-cotwa'));
    await telemetry(batch);
  }
  await waitFor(async () => {
    const s = await sensorOf('gas15-cotwa');
    return (s?.last?.ts ?? 0) >= now - h - 60_000;
  }, 10_000);
  assert.equal((await alarmsOf('gas15-cotwa')).filter((a) => a.type === 'gas-twa').length, 0);

  // ... a sensor reports once, right before the center restarts ...
  const quiet = { ...report.sensors[1], sensorId: 'gas15-quiet', intervalMs: 2000 };
  await agent.publishAsync(`${prefix}/sensors`, JSON.stringify({ ...report, sensors: [...report.sensors, quiet] }), {
    qos: 1,
    retain: true,
  });
  await waitFor(async () => (await sensorOf('gas15-quiet')) !== undefined, 10_000);
  await telemetry([{ ...co(1, Date.now()), sensorId: 'gas15-quiet' }]);
  await waitFor(async () => {
    return (await sensorOf('gas15-quiet'))?.last !== undefined;
  }, 5_000);

  // ... restart the center ...
  socket.disconnect();
  await agent.endAsync();
  await center.stop();
  live.length = 0;
  await boot();
  await connectAgent();

  // ... the sensor nobody hears from again goes stale after 3 x 2 s ...
  await waitFor(() => live.some((a) => a.sourceId === 'gas15-quiet' && a.type === 'stale'), 15_000);

  // ... and one more hour at 70 ppm makes the 8-hour average 35: gas-twa (it would be 8.75 from zero).
  for (let t = now - h; t <= now; t += 60_000 * 20) {
    const batch = [];
    for (let k = 0; k < 20 && t + k * 60_000 <= now; k++) batch.push(co(70, t + k * 60_000, 'gas15-cotwa'));
    await telemetry(batch);
  }
  await waitFor(() => live.some((a) => a.sourceId === 'gas15-cotwa' && a.type === 'gas-twa'), 15_000);
  const twa = live.find((a) => a.sourceId === 'gas15-cotwa' && a.type === 'gas-twa') as Alarm;
  assert.ok((twa.value ?? 0) >= 30 && (twa.value ?? 0) <= 36, `8-hour average ${twa.value}`);
});
