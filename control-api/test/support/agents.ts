/**
 * Helpers for tests that act as an operator and as edge agents against a running center: log in,
 * register an agent through the API, connect it to the broker with its issued credentials, and
 * read one Prometheus sample from /metrics.
 */
import assert from 'node:assert/strict';
import type { KeyObject } from 'node:crypto';
import { signConfig } from '@gwanje/firmware-config';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { type JsonApi, jsonApi } from '../../../testkit/index.js';

export interface IssuedAgent {
  agentId: string;
  siteId: string;
  mqtt: { url: string; username: string; password: string; clientId?: string };
}

export function centerApi(base: () => string) {
  const api = jsonApi(base);
  return {
    api,
    async login(username: string, password: string): Promise<string> {
      const r = await api<{ token: string }>('POST', '/api/v1/auth/login', undefined, { username, password });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.token;
    },
    async provision(token: string, agentId: string, siteId: string): Promise<IssuedAgent> {
      const r = await api<IssuedAgent>('POST', '/api/v1/agents', token, { agentId, siteId });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body;
    },
    /** One sample of a counter or gauge (labels as in the exposition, e.g. `{reason="x"}`); 0 when absent. */
    async metric(name: string, labels = ''): Promise<number> {
      const text = await (await fetch(`${base()}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
      return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
    },
  };
}

/**
 * Connects as the issued agent (client id = agentId unless overridden), MQTT 3.1.1, no reconnect.
 * `onMessage` is attached before CONNECT: a resumed session's queue can arrive with the CONNACK.
 */
export function connectAgent(
  a: IssuedAgent,
  opts: IClientOptions = {},
  onMessage?: (topic: string, payload: Buffer) => void,
): Promise<MqttClient> {
  const client = mqtt.connect(a.mqtt.url, {
    protocolVersion: 4,
    username: a.mqtt.username,
    password: a.mqtt.password,
    clientId: a.agentId,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...opts,
  });
  if (onMessage) client.on('message', onMessage);
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
  });
}

export const QUEUED_SECRET = 'SECRET-BROKER-PW-0123456789abcd';

/**
 * The review's F2 set-up: the agent makes its persistent session (clean false, QoS 1 on its config
 * topic, as the edge agent does) and goes offline; an admin then pushes a signed config holding a
 * password (QUEUED_SECRET), which the broker queues for that session.
 */
export async function queueSecretConfig(api: JsonApi, token: string, a: IssuedAgent, key: KeyObject): Promise<void> {
  const session = await connectAgent(a, { clean: false });
  await session.subscribeAsync(`gwanje/v1/${a.siteId}/${a.agentId}/config`, { qos: 1 });
  await session.endAsync();
  const envelope = signConfig(
    {
      siteId: a.siteId,
      agentId: a.agentId,
      central: { url: 'mqtt://x', username: a.agentId, password: QUEUED_SECRET },
      field: { url: 'mqtt://127.0.0.1:1884' },
      dataDir: '/var/lib/gwanje',
    },
    key,
  );
  const pushed = await api('POST', `/api/v1/agents/${a.agentId}/config`, token, envelope);
  assert.equal(pushed.status, 202, JSON.stringify(pushed.body));
}
