/**
 * A cluster rig for issue 19 tests and the cluster bench: real Mosquitto with dynamic security,
 * InfluxDB and a throwaway PostgreSQL database (testkit), and any number of center instances,
 * each a real process started through the product's own entry (control-api/src/main.ts) with the
 * environment an operator gives it. Edge agents are provisioned through the API and publish with
 * the credentials it issues, as the CONTRACT's agent does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import {
  createTestDatabase,
  freePort,
  type InfluxInstance,
  type MosquittoInstance,
  type Spawned,
  spawnServer,
  startInfluxDB,
  startMosquitto,
  type TestDatabase,
} from '../../../testkit/index.js';

const root = new URL('../../..', import.meta.url).pathname;
const DYNSEC = { adminUser: 'dynsec-admin', adminPassword: 'dynsec-Admin-1' };
const CENTER_MQTT_PASSWORD = 'center-Mqtt-2';
export const ADMIN_PASSWORD = 'Gwanje-Cluster-Root-3';

export interface CenterProcess {
  name: string;
  url: string;
  proc: Spawned;
  token: string;
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** kill -9. */
  kill(): Promise<void>;
}

export interface Reading {
  sensorId: string;
  value: number;
  ts: number;
  /** Default: a CH4 gas reading in %LEL. */
  metric?: 'gas' | 'flame' | 'smoke';
  unit?: '%LEL' | 'bool';
}

export interface AgentClient {
  agentId: string;
  siteId: string;
  /** Publishes one telemetry message (QoS 1, resolved on the broker's PUBACK) with the next seq. */
  send(readings: Reading[]): Promise<void>;
  /** Publishes the retained `status` (offline: what the broker's last will says for a dead agent). */
  status(state: 'online' | 'offline'): Promise<void>;
  close(): Promise<void>;
}

export interface ClusterRig {
  db: TestDatabase;
  mosquitto: MosquittoInstance;
  influx: InfluxInstance;
  centers: CenterProcess[];
  /** Starts an instance; `env` adds settings (SMS gateways, ...). */
  start(name: string, env?: Record<string, string>): Promise<CenterProcess>;
  agent(via: CenterProcess, siteId: string, agentId: string): Promise<AgentClient>;
  stop(): Promise<void>;
}

export async function startClusterRig(): Promise<ClusterRig> {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-cluster-'));
  const [mosquitto, influx, db] = await Promise.all([
    startMosquitto({ dynsec: DYNSEC }),
    startInfluxDB(),
    createTestDatabase('gwanje_cluster'),
  ]);
  const centers: CenterProcess[] = [];
  const agents: AgentClient[] = [];
  const rig: ClusterRig = {
    db,
    mosquitto,
    influx,
    centers,
    async start(name, env = {}) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const mq = `127.0.0.1:${mosquitto.port}`;
      const proc = spawnServer(process.execPath, ['--import', 'tsx', join(root, 'control-api/src/main.ts')], {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        GWANJE_HTTP_PORT: String(port),
        GWANJE_HOST: '127.0.0.1',
        GWANJE_PUBLIC_URL: url,
        GWANJE_MQTT_URL: `mqtt://gwanje-center:${CENTER_MQTT_PASSWORD}@${mq}`,
        GWANJE_MQTT_ADMIN_URL: `mqtt://${DYNSEC.adminUser}:${DYNSEC.adminPassword}@${mq}`,
        GWANJE_MQTT_CENTER_PASSWORD: CENTER_MQTT_PASSWORD,
        GWANJE_INFLUX_URL: `http://127.0.0.1:${influx.port}/gwanje`,
        GWANJE_DATABASE_URL: db.url,
        GWANJE_ADMIN_PASSWORD: ADMIN_PASSWORD,
        GWANJE_SIMULATE: '0',
        GWANJE_FIRE_DETECTOR: 'off',
        GWANJE_DATA_DIR: join(dir, name),
        // One key for direct cameras' credentials across the cluster (each instance opens them).
        GWANJE_CAMERA_KEY_FILE: join(dir, 'camera-secrets'),
        GWANJE_LOG_LEVEL: process.env.GWANJE_TEST_CENTER_LOG ?? 'warn',
        ...env,
      });
      const c: CenterProcess = {
        name,
        url,
        proc,
        token: '',
        async call<T>(method: string, path: string, body?: unknown) {
          const r = await fetch(`${url}${path}`, {
            method,
            headers: {
              ...(c.token ? { authorization: `Bearer ${c.token}` } : {}),
              ...(body ? { 'content-type': 'application/json' } : {}),
            },
            body: body ? JSON.stringify(body) : undefined,
          });
          const text = await r.text();
          return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
        },
        kill: () => proc.stop('SIGKILL'),
      };
      // A center that exits (a bad setting, a refusal) fails at once, not after the whole wait.
      const deadline = Date.now() + 90_000;
      for (;;) {
        if (proc.proc.exitCode !== null) throw new Error(`center ${name} exited\n${proc.output()}`);
        if ((await fetch(`${url}/healthz`).catch(() => undefined))?.status === 200) break;
        if (Date.now() > deadline) throw new Error(`center ${name} not healthy in 90 s\n${proc.output()}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const login = await c.call<{ token: string }>('POST', '/api/v1/auth/login', {
        username: 'admin',
        password: ADMIN_PASSWORD,
      });
      c.token = login.body.token;
      centers.push(c);
      return c;
    },
    async agent(via, siteId, agentId) {
      const r = await via.call<{ mqtt: { username: string; password: string; clientId: string } }>(
        'POST',
        '/api/v1/agents',
        { agentId, siteId },
      );
      if (r.status !== 201) throw new Error(`agent ${agentId} not provisioned: ${r.status} ${JSON.stringify(r.body)}`);
      const client: MqttClient = await mqtt.connectAsync(mosquitto.url, {
        protocolVersion: 5,
        clientId: r.body.mqtt.clientId,
        username: r.body.mqtt.username,
        password: r.body.mqtt.password,
        reconnectPeriod: 500,
      });
      const prefix = `gwanje/v1/${siteId}/${agentId}`;
      const status = async (state: 'online' | 'offline') => {
        await client.publishAsync(
          `${prefix}/status`,
          JSON.stringify({ state, version: 'test', uptimeS: 1, buffered: 0, ts: Date.now() }),
          { qos: 1, retain: true },
        );
      };
      await status('online');
      let seq = 0;
      const a: AgentClient = {
        agentId,
        siteId,
        status,
        async send(readings) {
          seq++;
          const payload = {
            agentId,
            seq,
            readings: readings.map((x) =>
              !x.metric || x.metric === 'gas'
                ? { ...x, metric: 'gas', gas: 'CH4', unit: '%LEL', quality: 'good' }
                : { ...x, quality: 'good' },
            ),
          };
          await client.publishAsync(`${prefix}/telemetry`, JSON.stringify(payload), { qos: 1 });
        },
        close: () => client.endAsync(),
      };
      agents.push(a);
      return a;
    },
    async stop() {
      for (const a of agents) await a.close().catch(() => undefined);
      await Promise.all(centers.map((c) => c.proc.stop()));
      await Promise.all([mosquitto.stop(), influx.stop()]);
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return rig;
}

export interface ClusterView {
  clustered: boolean;
  instances: { instanceId: string; publicUrl: string; self: boolean; sites: { siteId: string; since: number }[] }[];
}

/** The public URL of the instance owning `siteId`, as `c` sees it (undefined: none right now). */
export async function ownerUrl(c: CenterProcess, siteId: string): Promise<string | undefined> {
  const r = await c.call<ClusterView>('GET', '/api/v1/cluster');
  return r.body.instances.find((i) => i.sites.some((s) => s.siteId === siteId))?.publicUrl;
}

/** A counter or gauge of `c`'s /metrics (0 when absent). */
export async function metric(c: CenterProcess, name: string): Promise<number> {
  const text = await (await fetch(`${c.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}
