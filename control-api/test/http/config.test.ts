/**
 * Config push (issue 10, the center side) through a real Mosquitto: an admin POSTs a signed
 * envelope, the center verifies it against its pinned key, records the desired version and
 * publishes it retained on the agent's `config` topic; a subscriber holding the agent's own
 * issued credentials (connecting after the push) receives it; the agent's `status.config`
 * (through the real ingest pipeline) clears the drift shown by GET /agents.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DetectionEngine } from '@gwanje/detection';
import { signConfig } from '@gwanje/firmware-config';
import mqtt from 'mqtt';
import { type MosquittoInstance, startMosquitto, waitFor } from '../../../testkit/index.js';
import { AlarmService } from '../../src/alarms/service.js';
import { CenterMqttClient } from '../../src/broker/client.js';
import { CommandChannel } from '../../src/broker/commands.js';
import { alarmStoreOf, ingestStoreOf } from '../../src/center-ports.js';
import { IngestPipeline } from '../../src/ingest/pipeline.js';
import { LiveHub } from '../../src/live/hub.js';
import { CenterMetrics } from '../../src/metrics.js';
import { createTimeSeriesStore } from '../../src/store/timeseries.js';
import { testBus } from '../support/bus.js';
import { createHarness, type Harness } from './harness.js';

const PASSWORD = 'correct horse battery staple';
const CENTER_PASSWORD = 'center-broker-password-0123';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');

let h: Harness;
let mosq: MosquittoInstance;
let center: CenterMqttClient;
let ingest: IngestPipeline;
let alarms: AlarmService;
let timeseries: ReturnType<typeof createTimeSeriesStore>;
let token: string;
let agentPassword: string;
/** The envelopes the center published (its publishConfig, observed). */
const published: { siteId: string; agentId: string; envelope: unknown }[] = [];

const doc = (siteId: string, agentId: string, logLevel = 'info') => ({
  siteId,
  agentId,
  central: { url: 'mqtt://127.0.0.1:1883', username: agentId, password: 'x'.repeat(32) },
  field: { url: 'mqtt://127.0.0.1:1884' },
  dataDir: '/var/lib/gwanje',
  logging: { level: logLevel },
});

before(async () => {
  h = await createHarness();
  await h.auth.users.create({ username: 'root', password: PASSWORD, role: 'admin', sites: ['*'] }, 'test', null);
  token = await h.login('root', PASSWORD);
  const r = await h.call('POST', '/api/v1/agents', { token, body: { agentId: 'osan-gw-01', siteId: 'osan' } });
  assert.equal(r.status, 201, r.text);
  agentPassword = (r.json as { mqtt: { password: string } }).mqtt.password;
  mosq = await startMosquitto({
    users: { 'osan-gw-01': agentPassword, center: CENTER_PASSWORD },
    acl:
      'user center\ntopic readwrite gwanje/v1/#\n\n' +
      'user osan-gw-01\ntopic write gwanje/v1/osan/osan-gw-01/status\ntopic read gwanje/v1/osan/osan-gw-01/config\n',
  });
  const { log } = h.deps;
  const metrics = new CenterMetrics({ processMetrics: false });
  const live = new LiveHub({
    log,
    metrics,
    verify: async () => ({ username: 'x', sites: [] }),
    activeAlarms: () => [],
  });
  alarms = new AlarmService({
    log,
    metrics,
    store: alarmStoreOf(h.repos),
    engine: new DetectionEngine({ newId: () => `c${Date.now()}` }),
    bus: testBus(live),
  });
  await alarms.start();
  timeseries = createTimeSeriesStore({ dataDir: mkdtempSync(join(tmpdir(), 'gwanje-cfg-ts-')), log });
  await timeseries.start();
  const base = ingestStoreOf(h.repos);
  const store = {
    ...base,
    agents: {
      ...base.agents,
      setConfigApplied: (agentId: string, applied: string) => h.repos.agents.setConfig(agentId, { applied }),
    },
  };
  ingest = new IngestPipeline({ log, metrics, store, timeseries, alarms, live });
  await ingest.start();
  center = new CenterMqttClient({
    url: mosq.url,
    username: 'center',
    password: CENTER_PASSWORD,
    protocolVersion: 5,
    log,
    onMessage: (t, p) => ingest.handle(t, p),
  });
  await center.start();
  const channel = new CommandChannel(center, log);
  h.deps.commands.publishConfig = async (siteId, agentId, envelope) => {
    published.push({ siteId, agentId, envelope });
    await channel.publishConfig(siteId, agentId, envelope);
  };
  h.deps.configPublicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
});

after(async () => {
  await center?.stop();
  await ingest?.stop();
  await alarms?.stop();
  await timeseries?.stop();
  await mosq?.stop();
  await h?.close();
});

test('a pushed config is retained on the agent topic, recorded as desired, and the applied status clears drift', async () => {
  const env = signConfig(doc('osan', 'osan-gw-01'), privateKey);
  const r = await h.call('POST', '/api/v1/agents/osan-gw-01/config', { token, body: env });
  assert.equal(r.status, 202, r.text);
  assert.deepEqual(r.json, { agentId: 'osan-gw-01', version: env.version });

  // The agent connects only now, with its own credentials: the retained copy is delivered.
  const agent = await mqtt.connectAsync(mosq.url, {
    username: 'osan-gw-01',
    password: agentPassword,
    protocolVersion: 4,
    clientId: 'osan-gw-01',
  });
  try {
    const got = new Promise<{ topic: string; body: unknown; retain: boolean }>((resolve) =>
      agent.on('message', (topic, payload, packet) =>
        resolve({ topic, body: JSON.parse(payload.toString()), retain: packet.retain }),
      ),
    );
    await agent.subscribeAsync('gwanje/v1/osan/osan-gw-01/config', { qos: 1 });
    const m = await got;
    assert.equal(m.topic, 'gwanje/v1/osan/osan-gw-01/config');
    assert.equal(m.retain, true);
    assert.deepEqual(m.body, env);

    const view = async () => {
      const list = await h.call('GET', '/api/v1/agents?siteId=osan', { token });
      return (list.json as { agentId: string; config: Record<string, unknown> }[]).find(
        (a) => a.agentId === 'osan-gw-01',
      )?.config;
    };
    assert.deepEqual(await view(), { desired: env.version, applied: null, outcome: null, drift: true });

    const status = (config: unknown) =>
      JSON.stringify({ state: 'online', version: '1.0.0', uptimeS: 5, buffered: 0, ts: Date.now(), config });
    await agent.publishAsync('gwanje/v1/osan/osan-gw-01/status', status({ version: env.version, outcome: 'applied' }), {
      qos: 1,
      retain: true,
    });
    await waitFor(async () => (await view())?.drift === false, 10_000);
    assert.deepEqual(await view(), { desired: env.version, applied: env.version, outcome: 'applied', drift: false });

    const audit = await h.call('GET', '/api/v1/audit?action=config.push', { token });
    assert.equal((audit.json as { target: string }[])[0]?.target, 'osan-gw-01');
  } finally {
    await agent.endAsync();
  }
});

test('a push is refused when the envelope is not for this agent or not signed by the pinned key', async () => {
  const before = published.length;
  const wrongAgent = signConfig(doc('osan', 'osan-gw-02'), privateKey);
  let r = await h.call('POST', '/api/v1/agents/osan-gw-01/config', { token, body: wrongAgent });
  assert.equal(r.status, 400);
  assert.equal((r.json as { error: { field: string } }).error.field, 'document.agentId');

  const wrongSite = signConfig(doc('suwon', 'osan-gw-01'), privateKey);
  r = await h.call('POST', '/api/v1/agents/osan-gw-01/config', { token, body: wrongSite });
  assert.equal((r.json as { error: { field: string } }).error.field, 'document.siteId');

  const foreign = signConfig(doc('osan', 'osan-gw-01', 'debug'), other.privateKey);
  r = await h.call('POST', '/api/v1/agents/osan-gw-01/config', { token, body: foreign });
  assert.equal(r.status, 400);
  assert.equal((r.json as { error: { field: string } }).error.field, 'signature');

  const tampered = { ...signConfig(doc('osan', 'osan-gw-01'), privateKey) };
  tampered.document = { ...tampered.document, dataDir: '/tmp/evil' };
  r = await h.call('POST', '/api/v1/agents/osan-gw-01/config', { token, body: tampered });
  assert.equal(r.status, 400, r.text);

  r = await h.call('POST', '/api/v1/agents/osan-gw-01/config', { token, body: { version: 'v1' } });
  assert.equal(r.status, 400);
  r = await h.call('POST', '/api/v1/agents/nobody-here/config', { token, body: wrongAgent });
  assert.equal(r.status, 404);
  assert.equal(published.length, before);
});
