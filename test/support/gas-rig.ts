/**
 * The issue 15 rig, shared by test/pegged-transmitter.e2e.test.ts and bench/gas/pegged.ts: the
 * center (in this process, embedded broker), a field Mosquitto, a Modbus TCP gas transmitter, a
 * real edge agent process (edge-agent/src/main.ts) with two CH4 transmitters on 0-100 %LEL
 * (`<prefix>-ch4` over MQTT, `<prefix>-mb` over Modbus, 4-20 mA as 800..4000 counts in holding
 * register 40001, polled every 200 ms) and a siren output, a relay listening to the siren, a
 * field publisher and a Socket.IO `/live` client. Resolves once the center knows both ranges
 * from the agent's sensors report.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentCredentials, Alarm, SensorConfigView } from '@gwanje/protocol';
import mqtt from 'mqtt';
import { io } from 'socket.io-client';
import { startTestCenter, type TestCenter } from '../../control-api/test/support/center.js';
import { type AgentProcess, spawnAgent, writeConfig } from '../../edge-agent/test/helpers/agent-process.js';
import { type ModbusTransmitter, startModbusTransmitter, startMosquitto, waitFor } from '../../testkit/index.js';

export interface SirenCommand {
  on: boolean;
  reason: string;
  sensorId: string;
  at: number;
}

export interface GasRig {
  center: TestCenter;
  transmitter: ModbusTransmitter;
  agent: AgentProcess;
  /** Every command the siren relay received, with when. */
  siren: SirenCommand[];
  /** Every `/live` alarm event, with when. */
  live: Array<Alarm & { at: number }>;
  /** Publishes a CH4 reading of the MQTT transmitter on the field broker. */
  publish(value: number): Promise<void>;
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

const PASSWORD = 'gas-Rig-issue-15!';

export async function startGasRig(prefix: string): Promise<GasRig> {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-gas-rig-'));
  const center = await startTestCenter({ password: PASSWORD });
  const api = async <T>(method: string, path: string, body?: unknown, token = ''): Promise<T> => {
    const res = await fetch(`${center.base}/api/v1${path}`, {
      method,
      headers: {
        ...(token || rig.token ? { authorization: `Bearer ${token || rig.token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const rig = { token: '' };
  rig.token = (await api<{ token: string }>('POST', '/auth/login', { username: 'admin', password: PASSWORD })).token;
  const agentId = `${prefix}-agent`;
  const creds = await api<AgentCredentials>('POST', '/agents', { agentId, siteId: 'suwon' });
  const field = await startMosquitto();
  const transmitter = await startModbusTransmitter();
  transmitter.setHolding(0, 800); // 4 mA: 0 %LEL
  const ch4 = { metric: 'gas', gas: 'CH4', unit: '%LEL', range: { min: 0, max: 100 }, intervalMs: 1000 };
  const agent = spawnAgent(
    writeConfig(dir, {
      siteId: 'suwon',
      agentId,
      central: { url: creds.mqtt.url, username: creds.mqtt.username, password: creds.mqtt.password },
      field: { url: field.url },
      dataDir: join(dir, 'agent'),
      drivers: [
        { id: 'field', type: 'mqtt' },
        { id: 'bus', type: 'modbus-tcp', host: transmitter.host, port: transmitter.port, pollMs: 200, timeoutMs: 1000 },
      ],
      sensors: [
        { sensorId: `${prefix}-ch4`, ...ch4 },
        {
          sensorId: `${prefix}-mb`,
          ...ch4,
          driver: 'bus',
          address: { unitId: 1, register: 40001, rawMin: 800, rawMax: 4000 },
        },
      ],
      outputs: [{ id: 'siren', type: 'mqtt', topic: 'relays/siren' }],
      logging: { level: 'warn' },
    }),
  );
  const siren: SirenCommand[] = [];
  const relay = await mqtt.connectAsync(field.url, { clientId: `${prefix}-relay`, protocolVersion: 4 });
  relay.on('message', (_t, p) => siren.push({ ...(JSON.parse(p.toString()) as SirenCommand), at: Date.now() }));
  await relay.subscribeAsync('relays/siren', { qos: 1 });
  const detector = await mqtt.connectAsync(field.url, { clientId: `${prefix}-detector`, protocolVersion: 4 });
  const live: Array<Alarm & { at: number }> = [];
  const socket = io(`${center.base}/live`, { auth: { token: rig.token }, transports: ['websocket'] });
  socket.on('alarm', (a: Alarm) => live.push({ ...a, at: Date.now() }));
  const stop = async () => {
    socket.disconnect();
    await detector.endAsync();
    await relay.endAsync();
    await agent.stop();
    await transmitter.stop();
    await field.stop();
    await center.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => {
      const list = await api<SensorConfigView[]>('GET', '/sensors?siteId=suwon');
      return list.filter((s) => s.range?.max === 100 && s.rangeSource === 'agent').length === 2;
    }, 60_000);
  } catch (err) {
    const out = agent.output();
    await stop();
    throw new Error(`${String(err)}\n${out}`);
  }
  return {
    center,
    transmitter,
    agent,
    siren,
    live,
    publish: async (value) => {
      await detector.publishAsync(
        `sensors/${prefix}-ch4`,
        JSON.stringify({ metric: 'gas', gas: 'CH4', value, unit: '%LEL' }),
        {
          qos: 1,
        },
      );
    },
    api: (method, path, body) => api(method, path, body),
    stop,
  };
}
