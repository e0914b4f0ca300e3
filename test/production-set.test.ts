/**
 * Issue 17 "The production set, started for real": docker-compose.yml's topology as processes
 * (support/topology.ts: Mosquitto with dynsec and MQTTS, InfluxDB, PostgreSQL, the center over
 * HTTPS, and a separate edge-agent process that knows only the public URL and the province CA),
 * each with the environment compose gives its service. Checks login, a gas alarm from a field
 * sensor the agent adopted, live video, an agent restart, and that /healthz and the compose
 * healthcheck fail while PostgreSQL, InfluxDB or Mosquitto is stopped and recover after.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Alarm } from '@gwanje/protocol';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { waitFor } from '../testkit/index.js';
import { healthcheck, SECRETS, startTopology, type Topology } from './support/topology.js';

let t: Topology;
let ca: Buffer;
let token = '';

/** JSON over HTTPS, trusting only the province CA (as a console or integrator would). */
function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${t.publicUrl}${path}`,
      {
        method,
        ca,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : undefined) as T }));
      },
    );
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

const agentHealthy = async () =>
  (await fetch(`http://127.0.0.1:${t.agentHealthPort}/healthz`).catch(() => undefined))?.status === 200;

async function publishField(sensorId: string, value: number): Promise<void> {
  const c = await mqtt.connectAsync(t.fieldUrl, { protocolVersion: 4 });
  await c.publishAsync(`sensors/${sensorId}`, JSON.stringify({ metric: 'gas', gas: 'CH4', unit: '%LEL', value }), {
    qos: 1,
  });
  await c.endAsync();
}

async function lastValue(sensorId: string): Promise<number | undefined> {
  const r = await call<Array<{ sensorId: string; last?: { value: number } }>>('GET', '/api/v1/sensors?siteId=suwon');
  return r.body.find((s) => s.sensorId === sensorId)?.last?.value;
}

describe('the production set as processes (issue 17)', { timeout: 420_000 }, () => {
  before(async () => {
    t = await startTopology();
    ca = readFileSync(join(t.tls, 'ca.crt'));
  });
  after(async () => {
    await t?.stop();
  });

  test('login over HTTPS with the province CA; the admin is the one compose set', async () => {
    const r = await call<{ token: string; user: { role: string } }>('POST', '/api/v1/auth/login', {
      username: 'admin',
      password: SECRETS.GWANJE_ADMIN_PASSWORD,
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.user.role, 'admin');
    token = r.body.token;
    // Only TLS is offered on the public port.
    await assert.rejects(fetch(`http://127.0.0.1:${t.httpsPort}/healthz`).then((x) => x.text()));
  });

  test('the agent registers at the public URL; a field gas sensor it adopted raises gas-high', async () => {
    await waitFor(agentHealthy, 60_000, 250).catch((e) => {
      throw new Error(`agent not healthy: ${e}\n${t.agent.output()}`);
    });
    await publishField('suwon-leak-1', 60);
    await waitFor(async () => {
      const r = await call<Alarm[]>('GET', '/api/v1/alarms?siteId=suwon');
      return r.body.some((a) => a.sourceId === 'suwon-leak-1' && a.type === 'gas-high' && a.priority === 1);
    }, 30_000).catch((e) => {
      throw new Error(`no gas-high: ${e}\n${t.agent.output()}\n${t.center.output()}`);
    });
    const found = await call<Array<{ sensorId: string }>>('GET', '/api/v1/discovered-sensors?siteId=suwon');
    assert.deepEqual(
      found.body.map((d) => d.sensorId),
      ['suwon-leak-1'],
    );
  });

  test('live video: the agent pushes its camera over HTTPS and a viewer gets MPEG-TS over wss', async () => {
    const ws = new WebSocket(`${t.publicUrl.replace('https', 'wss')}/video/suwon-cam-1?token=${token}`, { ca });
    const chunks: Buffer[] = [];
    ws.on('message', (d: Buffer) => chunks.push(d));
    try {
      await waitFor(() => chunks.reduce((n, c) => n + c.length, 0) > 188 * 100, 60_000, 100).catch((e) => {
        throw new Error(`no video: ${e}\n${t.agent.output()}\n${t.center.output()}`);
      });
      const ts = Buffer.concat(chunks);
      for (let i = 0; i < 100; i++) assert.equal(ts[i * 188], 0x47, 'MPEG-TS sync byte every 188 bytes');
    } finally {
      ws.close();
    }
  });

  test('an agent restart: offline, then online as the same registered agent, readings flow again', async () => {
    const state = async () =>
      (await call<Array<{ agentId: string; state: string }>>('GET', '/api/v1/agents?siteId=suwon')).body.find(
        (a) => a.agentId === 'suwon-sim-1',
      )?.state;
    await t.agent.stop();
    await waitFor(async () => (await state()) === 'offline', 20_000);
    t.agent.start();
    await waitFor(async () => (await state()) === 'online' && (await agentHealthy()), 60_000, 250);
    await publishField('suwon-leak-1', 61);
    await waitFor(async () => (await lastValue('suwon-leak-1')) === 61, 30_000);
    // It kept the credentials it was issued (0600 in its data dir): registered once, not twice.
    const provisions = await call<Array<{ target: string }>>('GET', '/api/v1/audit?action=agent.provision');
    assert.equal(provisions.body.filter((r) => r.target === 'suwon-sim-1').length, 1);
  });

  test('/healthz and the compose healthcheck say no while PostgreSQL, InfluxDB or Mosquitto is down', async () => {
    const failing = async () => {
      const r = await call<{ status: string; failing?: string[] }>('GET', '/healthz');
      return r.status === 200 ? [] : (r.body.failing ?? ['?']);
    };
    const outage = async (store: string, stop: () => Promise<void> | void, start: () => Promise<void> | void) => {
      await stop();
      await waitFor(async () => (await failing()).includes(store), 30_000, 200).catch((e) => {
        throw new Error(`${store} stopped but /healthz did not say so: ${e}`);
      });
      assert.equal(healthcheck(t.compose, t.local), 1, `the compose healthcheck fails without ${store}`);
      await start();
      await waitFor(async () => (await failing()).length === 0, 60_000, 250).catch((e) => {
        throw new Error(`${store} back but /healthz did not recover: ${e}\n${t.center.output()}`);
      });
      assert.equal(healthcheck(t.compose, t.local), 0);
    };
    await outage('database', t.pg.stop, t.pg.start);
    await outage('timeseries', t.influx.pause, t.influx.resume);
    await outage('broker', t.mosquitto.stop, t.mosquitto.start);
  });
});
