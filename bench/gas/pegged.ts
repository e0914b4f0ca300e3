/**
 * Issue 15 figure: how fast a pegged gas transmitter (150 %LEL on a 0-100 range) sounds the site
 * siren and reaches the operators as gas-high priority 1, through the real path: a field sensor
 * on a field Mosquitto (or a Modbus TCP transmitter polled every 200 ms), a real edge agent
 * process, the center (embedded broker, in this process) and a Socket.IO `/live` client.
 * Each trial pegs the transmitter, waits for the siren and the alarm, then returns it to zero
 * until the siren is off and the alarm has returned (latched), so the next trial re-alarms.
 *   node --import tsx bench/gas/pegged.ts [trials per path, default 8; about 21 s each]
 * Prints the figures and writes bench/results/gas-pegged.json. gas-high has a 1 s on-delay at the
 * center (CONTRACT defaults); the siren has none (issue 5: within 500 ms).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentCredentials, Alarm } from '@gwanje/protocol';
import mqtt from 'mqtt';
import { io } from 'socket.io-client';
import { startTestCenter } from '../../control-api/test/support/center.js';
import { spawnAgent, writeConfig } from '../../edge-agent/test/helpers/agent-process.js';
import { startModbusTransmitter, startMosquitto, waitFor } from '../../testkit/index.js';

const TRIALS = Number(process.argv[2] ?? 8);
/**
 * Trials of one sensor start at least this far apart: ISA-18.2 chattering suppression (more than
 * 3 activations in 60 s) would otherwise stop announcing the test's own repeats.
 */
const SPACING_MS = 21_000;
const PASSWORD = 'bench-Pegged-15!';
const dir = mkdtempSync(join(tmpdir(), 'gwanje-bench-pegged-'));
const center = await startTestCenter({ password: PASSWORD });
const field = await startMosquitto();
const transmitter = await startModbusTransmitter();
transmitter.setHolding(0, 800);

const call = async <T>(path: string, body?: unknown, token?: string): Promise<T> => {
  const res = await fetch(`${center.base}/api/v1${path}`, {
    method: body ? 'POST' : 'GET',
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return (await res.json()) as T;
};
const { token } = await call<{ token: string }>('/auth/login', { username: 'admin', password: PASSWORD });
const creds = await call<AgentCredentials>('/agents', { agentId: 'bench-peg', siteId: 'suwon' }, token);
const sensor = { metric: 'gas', gas: 'CH4', unit: '%LEL', range: { min: 0, max: 100 }, intervalMs: 1000 };
const agent = spawnAgent(
  writeConfig(dir, {
    siteId: 'suwon',
    agentId: 'bench-peg',
    central: { url: creds.mqtt.url, username: creds.mqtt.username, password: creds.mqtt.password },
    field: { url: field.url },
    dataDir: join(dir, 'agent'),
    drivers: [
      { id: 'field', type: 'mqtt' },
      { id: 'bus', type: 'modbus-tcp', host: transmitter.host, port: transmitter.port, pollMs: 200, timeoutMs: 1000 },
    ],
    sensors: [
      { sensorId: 'bench-ch4', ...sensor },
      {
        sensorId: 'bench-mb',
        ...sensor,
        driver: 'bus',
        address: { unitId: 1, register: 40001, rawMin: 800, rawMax: 4000 },
      },
    ],
    outputs: [{ id: 'siren', type: 'mqtt', topic: 'relays/siren' }],
    logging: { level: 'warn' },
  }),
);

const sirenAt = new Map<string, number>();
const sirenOff = new Set<string>();
const relay = await mqtt.connectAsync(field.url, { clientId: 'bench-relay', protocolVersion: 4 });
relay.on('message', (_t, p) => {
  const cmd = JSON.parse(p.toString()) as { on: boolean; sensorId: string };
  if (cmd.on) sirenAt.set(cmd.sensorId, Date.now());
  else sirenOff.add(cmd.sensorId);
});
await relay.subscribeAsync('relays/siren', { qos: 1 });
const detector = await mqtt.connectAsync(field.url, { clientId: 'bench-detector', protocolVersion: 4 });
const alarmAt = new Map<string, number>();
const latched = new Set<string>();
const socket = io(`${center.base}/live`, { auth: { token }, transports: ['websocket'] });
socket.on('alarm', (a: Alarm) => {
  if (a.type !== 'gas-high') return;
  if (a.state === 'unack' && a.priority === 1) alarmAt.set(a.sourceId, Date.now());
  if (a.state === 'latched') latched.add(a.sourceId);
});
await waitFor(async () => {
  const list = await call<{ range?: unknown }[]>('/sensors?siteId=suwon', undefined, token);
  return list.filter((s) => s.range).length === 2;
}, 60_000);

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const summary = (xs: number[]) => ({ n: xs.length, p50: pct(xs, 50), p95: pct(xs, 95), max: Math.max(...xs) });

async function trial(id: string, peg: () => Promise<void>, clear: () => Promise<void>): Promise<[number, number]> {
  sirenAt.delete(id);
  alarmAt.delete(id);
  sirenOff.delete(id);
  latched.delete(id);
  const t0 = Date.now();
  await peg();
  await waitFor(() => sirenAt.has(id) && alarmAt.has(id), 15_000);
  const out: [number, number] = [(sirenAt.get(id) as number) - t0, (alarmAt.get(id) as number) - t0];
  await clear();
  await waitFor(() => sirenOff.has(id) && latched.has(id), 20_000);
  return out;
}

const publish = (value: number) =>
  detector.publishAsync('sensors/bench-ch4', JSON.stringify({ metric: 'gas', gas: 'CH4', value, unit: '%LEL' }), {
    qos: 1,
  });
/** A field sensor reporting every 500 ms while `value` holds, as a transmitter does. */
let current = 0;
const ticker = setInterval(() => void publish(current), 500);
const mqttRuns: [number, number][] = [];
const modbusRuns: [number, number][] = [];
for (let i = 0; i < TRIALS; i++) {
  const started = Date.now();
  mqttRuns.push(
    await trial(
      'bench-ch4',
      async () => {
        current = 150;
        await publish(150);
      },
      async () => {
        current = 0;
      },
    ),
  );
  modbusRuns.push(
    await trial(
      'bench-mb',
      async () => transmitter.setHolding(0, 5600),
      async () => transmitter.setHolding(0, 800),
    ),
  );
  await new Promise((r) => setTimeout(r, Math.max(0, started + SPACING_MS - Date.now())));
}
clearInterval(ticker);

const result = {
  bench: 'gas-pegged',
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  trials: TRIALS,
  mqttField: { sirenMs: summary(mqttRuns.map((r) => r[0])), liveGasHighMs: summary(mqttRuns.map((r) => r[1])) },
  modbus200msPoll: {
    sirenMs: summary(modbusRuns.map((r) => r[0])),
    liveGasHighMs: summary(modbusRuns.map((r) => r[1])),
  },
  loadAverage: loadavg(),
};
console.log(JSON.stringify(result, null, 2));
mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
writeFileSync(new URL('../results/gas-pegged.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);

socket.disconnect();
await detector.endAsync();
await relay.endAsync();
await agent.stop();
await transmitter.stop();
await field.stop();
await center.stop();
rmSync(dir, { recursive: true, force: true });
