/**
 * External Mosquitto with the dynamic-security plugin managed by control-api: an agent's
 * credentials let it publish only its own uplink and subscribe only its own downlink; another
 * site's topics are refused by the broker itself; revocation locks it out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { type MosquittoInstance, startMosquitto, waitFor } from '../../../testkit/index.js';
import { agentRoleAcls, MosquittoDynsec } from '../../src/mosquitto/dynsec.js';

const log = pino({ level: 'silent' });

/** Agents connect with client id = agentId: their dynsec client is bound to it (security review F2). */
function connect(url: string, username: string, password: string, clientId = username): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, {
      username,
      password,
      clientId,
      reconnectPeriod: 0,
      connectTimeout: 3000,
      protocolVersion: 5,
    });
    c.once('connect', () => resolve(c));
    c.once('error', (err) => {
      c.end(true);
      reject(err);
    });
  });
}

describe('Mosquitto dynamic security managed by control-api', () => {
  let broker: MosquittoInstance;
  let admin: MosquittoDynsec;
  let center: MqttClient;
  const seen: string[] = [];

  before(async () => {
    broker = await startMosquitto({ dynsec: { adminUser: 'dynsec-admin', adminPassword: 'admin-secret-1' } });
    admin = new MosquittoDynsec({ url: `mqtt://dynsec-admin:admin-secret-1@127.0.0.1:${broker.port}`, log });
    await admin.start();
    await admin.ensureCenter('gwanje-center', 'center-secret-1');
    center = await connect(broker.url, 'gwanje-center', 'center-secret-1');
    center.on('message', (topic) => seen.push(topic));
    await center.subscribeAsync('$share/gwanje-api/gwanje/v1/+/+/telemetry', { qos: 1 });
  });
  after(async () => {
    center?.end(true);
    await admin?.stop();
    await broker?.stop();
  });

  it('derives the agent role from the topic map', () => {
    const acls = agentRoleAcls('suwon', 'a1');
    assert.ok(acls.some((a) => a.acltype === 'publishClientSend' && a.topic === 'gwanje/v1/suwon/a1/telemetry'));
    assert.ok(acls.some((a) => a.acltype === 'subscribeLiteral' && a.topic === 'gwanje/v1/suwon/a1/cmd'));
    assert.ok(!acls.some((a) => a.acltype === 'publishClientSend' && a.topic.endsWith('/cmd')));
  });

  it('an agent publishes its own telemetry but cannot forge another site', async () => {
    await admin.provisionAgent('suwon', 'a1', 'agent-pass-123');
    const agent = await connect(broker.url, 'a1', 'agent-pass-123');
    await agent.publishAsync('gwanje/v1/suwon/a1/telemetry', '{}', { qos: 1 });
    await agent.publishAsync('gwanje/v1/anyang/a1/telemetry', '{}', { qos: 1 }).catch(() => {});
    await agent.publishAsync('gwanje/v1/suwon/a2/telemetry', '{}', { qos: 1 }).catch(() => {});
    await waitFor(() => seen.includes('gwanje/v1/suwon/a1/telemetry'), 5000);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(seen, ['gwanje/v1/suwon/a1/telemetry']);
    await agent.subscribeAsync('gwanje/v1/suwon/a1/cmd', { qos: 1 });
    for (const other of ['gwanje/v1/anyang/b1/cmd', 'gwanje/v1/#', 'gwanje/v1/suwon/a1/telemetry']) {
      await assert.rejects(
        agent.subscribeAsync(other, { qos: 1 }),
        /Not authorized/,
        `subscribe ${other} must be refused`,
      );
    }
    agent.end(true);
  });

  it('F2: an agent client is bound to client id = agentId; another id is refused', async () => {
    await admin.provisionAgent('suwon', 'b1', 'b1-pass-12345');
    await admin.provisionAgent('anyang', 'b2', 'b2-pass-12345');
    const owner = await connect(broker.url, 'b1', 'b1-pass-12345');
    let kicked = false;
    owner.on('close', () => {
      kicked = true;
    });
    await assert.rejects(connect(broker.url, 'b2', 'b2-pass-12345', 'b1'), /Not authorized|Client Identifier/i);
    await assert.rejects(connect(broker.url, 'b1', 'b1-pass-12345', 'b1-other'), /Not authorized|Client Identifier/i);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(kicked, false, 'the owner was disconnected');
    owner.end(true);
  });

  it('F2: clients made before the binding are bound by bindClientIds', async () => {
    await admin.command('createClient', { username: 'old1', password: 'old1-pass-12345' });
    (await connect(broker.url, 'old1', 'old1-pass-12345', 'anything')).end(true);
    assert.equal(await admin.bindClientIds(['old1', 'never-made']), 1);
    await assert.rejects(
      connect(broker.url, 'old1', 'old1-pass-12345', 'anything'),
      /Not authorized|Client Identifier/i,
    );
    (await connect(broker.url, 'old1', 'old1-pass-12345')).end(true);
  });

  it('revocation locks the agent out', async () => {
    await admin.revokeAgent('a1');
    await assert.rejects(connect(broker.url, 'a1', 'agent-pass-123'));
  });

  it('re-provisioning replaces the password and the site', async () => {
    await admin.provisionAgent('suwon', 'a3', 'first-pass-123');
    await admin.provisionAgent('anyang', 'a3', 'second-pass-123');
    await assert.rejects(connect(broker.url, 'a3', 'first-pass-123'));
    const agent = await connect(broker.url, 'a3', 'second-pass-123');
    seen.length = 0;
    await agent.publishAsync('gwanje/v1/suwon/a3/telemetry', '{}', { qos: 1 }).catch(() => {});
    await agent.publishAsync('gwanje/v1/anyang/a3/telemetry', '{}', { qos: 1 });
    await waitFor(() => seen.length > 0, 5000);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(seen, ['gwanje/v1/anyang/a3/telemetry']);
    agent.end(true);
  });
});
