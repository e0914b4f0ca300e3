/**
 * provision and push against a small local HTTP server that plays the control API's
 * POST /api/v1/agents and POST /api/v1/agents/{agentId}/config (CONTRACT "HTTP: control API"; the
 * real center is another package), with a real Mosquitto holding the issued credentials.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { agentTopic } from '@gwanje/protocol';
import mqtt from 'mqtt';
import { EdgeAgent } from '../../edge-agent/src/index.js';
import { type MosquittoInstance, startMosquitto, waitFor } from '../../testkit/index.js';
import { ConfigApplier } from '../src/apply.js';
import { loadConfigFile } from '../src/load.js';
import { cli } from './cli-run.js';
import { AGENT_VAR } from './fixtures.js';
import { AGENT_PASSWORD, CENTER_PASSWORD, type FakeCenter, startFakeCenter, TOKEN } from './support/fake-center.js';

describe('provision and push', () => {
  let dir: string;
  let mosq: MosquittoInstance;
  let center: FakeCenter;
  const p = (name: string) => join(dir, name);
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gwanje-prov-'));
    mosq = await startMosquitto({
      users: { 'osan-gw-01': AGENT_PASSWORD, center: CENTER_PASSWORD },
      acl: 'user center\ntopic readwrite gwanje/v1/#\n\nuser osan-gw-01\ntopic readwrite gwanje/v1/osan/osan-gw-01/#\n',
    });
    center = await startFakeCenter(mosq);
    await mkdir(p('t/sites'), { recursive: true });
    await mkdir(p('t/agents'));
    await writeFile(
      p('t/sites/osan.json'),
      JSON.stringify({
        central: {
          url: 'mqtts://placeholder:8883',
          username: `${AGENT_VAR}`,
          configPublicKeyFile: '/etc/gwanje/center-public.pem',
        },
        field: { url: 'mqtt://127.0.0.1:1883' },
        dataDir: '/var/lib/gwanje',
        drivers: [{ id: 'field', type: 'mqtt' }],
        sensors: [{ sensorId: `${AGENT_VAR}-ch4-1`, metric: 'gas', gas: 'CH4', unit: '%LEL' }],
      }),
    );
    await writeFile(p('t/agents/osan-gw-01.json'), JSON.stringify({ siteId: 'osan' }));
    await writeFile(p('t/agents/osan-gw-03.json'), JSON.stringify({ siteId: 'osan' }));
    await writeFile(
      p('t/agents/osan-gw-02.json'),
      JSON.stringify({ siteId: 'osan', sensors: [{ sensorId: 'x', metric: 'gas', unit: 'ppm' }] }),
    );
    assert.equal((await cli(['keygen', '--out', p('keys')])).code, 0);
  });
  after(async () => {
    await new Promise((resolve) => center.server.close(resolve));
    await mosq.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('provision registers the agent and writes a bundle whose credentials work on the broker', async () => {
    const r = await cli([
      'provision',
      '--site',
      'osan',
      '--agent',
      'osan-gw-01',
      '--api',
      center.url,
      '--token',
      TOKEN,
      '--key',
      p('keys/private.pem'),
      '--out',
      p('bundle'),
      '--templates',
      p('t'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`^provisioned agent osan-gw-01 \\(site osan\\), config version [0-9a-f]{16}, broker ${mosq.url}\\n`),
    );
    assert.equal((await stat(p('bundle/config.json'))).mode & 0o777, 0o600);
    assert.equal((await stat(p('bundle'))).mode & 0o777, 0o700);
    assert.equal(await readFile(p('bundle/center-public.pem'), 'utf8'), await readFile(p('keys/public.pem'), 'utf8'));
    const unit = await readFile(p('bundle/gwanje-edge.service'), 'utf8');
    assert.match(unit, /^ExecStart=\/usr\/local\/bin\/gwanje-edge --config \/etc\/gwanje\/config\.json$/m);
    assert.match(unit, /^Restart=always$/m);
    const install = await readFile(p('bundle/INSTALL.md'), 'utf8');
    assert.match(install, /systemctl daemon-reload && sudo systemctl enable --now gwanje-edge/);

    // The agent's view: the signed file verifies against the pinned key and carries the issued credentials.
    const verify = await cli([
      'verify',
      p('bundle/config.json'),
      '--pub',
      p('bundle/center-public.pem'),
      '--agent',
      'osan-gw-01',
    ]);
    assert.equal(verify.code, 0, verify.stderr);
    const loaded = await loadConfigFile(p('bundle/config.json'), {
      publicKeyPem: await readFile(p('bundle/center-public.pem'), 'utf8'),
    });
    assert.deepEqual(loaded.document.central, {
      url: mosq.url,
      username: 'osan-gw-01',
      password: AGENT_PASSWORD,
      configPublicKeyFile: '/etc/gwanje/center-public.pem',
    });
    const c = await mqtt.connectAsync(loaded.document.central.url, {
      username: loaded.document.central.username,
      password: loaded.document.central.password,
      clientId: 'osan-gw-01',
      reconnectPeriod: 0,
    });
    await c.publishAsync(agentTopic('osan', 'osan-gw-01', 'status'), '{"state":"online"}', { qos: 1 });
    await c.endAsync();
  });

  it('an edge agent started from the bundle connects with the issued credentials and reports', async () => {
    const field = await startMosquitto();
    const pem = await readFile(p('bundle/center-public.pem'), 'utf8');
    const { document } = await loadConfigFile(p('bundle/config.json'), { publicKeyPem: pem });
    // What differs on this machine from a Pi: the data dir and the local (field) broker.
    const agent = new EdgeAgent(
      { ...document, dataDir: p('agent-run'), field: { url: field.url } },
      { statusEveryMs: 200 },
    );
    const watcher = await mqtt.connectAsync(mosq.url, {
      username: 'center',
      password: CENTER_PASSWORD,
      reconnectPeriod: 0,
    });
    const seen: Array<{ topic: string; body: Record<string, unknown> }> = [];
    watcher.on('message', (topic, payload) => seen.push({ topic, body: JSON.parse(payload.toString()) }));
    await watcher.subscribeAsync('gwanje/v1/osan/osan-gw-01/#', { qos: 1 });
    const sensor = await mqtt.connectAsync(field.url, { reconnectPeriod: 0 });
    try {
      await agent.start();
      await waitFor(() => seen.some((m) => m.topic.endsWith('/status') && m.body.state === 'online'), 10_000);
      const reading = { metric: 'gas', gas: 'CH4', value: 12.5, unit: '%LEL', ts: Date.now() };
      await waitFor(
        async () => {
          await sensor.publishAsync('sensors/osan-gw-01-ch4-1', JSON.stringify(reading));
          return seen.some((m) => m.topic.endsWith('/telemetry'));
        },
        10_000,
        250,
      );
      const telemetry = seen.find((m) => m.topic.endsWith('/telemetry'))?.body as {
        agentId: string;
        readings: unknown[];
      };
      assert.equal(telemetry.agentId, 'osan-gw-01');
      assert.deepEqual(telemetry.readings[0], { sensorId: 'osan-gw-01-ch4-1', ...reading, quality: 'good' });
    } finally {
      await agent.stop();
      await sensor.endAsync();
      await watcher.endAsync();
      await field.stop();
    }
  });

  it('refuses to provision twice, with a bad token, or from a broken overlay (without registering it)', async () => {
    const base = ['--api', center.url, '--key', p('keys/private.pem'), '--templates', p('t')];
    const twice = await cli([
      'provision',
      '--site',
      'osan',
      '--agent',
      'osan-gw-01',
      '--token',
      TOKEN,
      '--out',
      p('b2'),
      ...base,
    ]);
    assert.equal(twice.code, 1);
    assert.equal(twice.stderr, `center: POST ${center.url}/api/v1/agents: 409 agent osan-gw-01 exists\n`);
    await assert.rejects(stat(p('b2')), /ENOENT/);
    const noAuth = await cli([
      'provision',
      '--site',
      'osan',
      '--agent',
      'osan-gw-03',
      '--token',
      'nope',
      '--out',
      p('b3'),
      ...base,
    ]);
    assert.equal(noAuth.code, 1);
    assert.match(noAuth.stderr, /401 missing or invalid token/);
    const broken = await cli([
      'provision',
      '--site',
      'osan',
      '--agent',
      'osan-gw-02',
      '--token',
      TOKEN,
      '--out',
      p('b4'),
      ...base,
    ]);
    assert.equal(broken.code, 1);
    assert.equal(broken.stderr, 'sensors.1.gas: required when metric is gas\n');
    const again = await cli([
      'provision',
      '--site',
      'osan',
      '--agent',
      'osan-gw-02',
      '--token',
      TOKEN,
      '--out',
      p('b4'),
      ...base,
    ]);
    assert.equal(
      again.stderr,
      'sensors.1.gas: required when metric is gas\n',
      'not 409: the broken render registered nothing',
    );
  });

  it('push delivers a signed config through the center to the agent’s retained config topic', async () => {
    const bundle = JSON.parse(await readFile(p('bundle/config.json'), 'utf8'));
    const doc = { ...bundle.document, logging: { level: 'debug' } };
    await writeFile(p('next.json'), JSON.stringify(doc));
    assert.equal(
      (await cli(['sign', p('next.json'), '--key', p('keys/private.pem'), '--out', p('next.signed.json')])).code,
      0,
    );
    const pushed = await cli(['push', p('next.signed.json'), '--api', center.url, '--pub', p('keys/public.pem')], {
      env: { GWANJE_TOKEN: TOKEN },
    });
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.match(pushed.stdout, /^pushed version [0-9a-f]{16} to agent osan-gw-01: 202\n$/);

    // The agent side: subscribe with the bundle's credentials and let ConfigApplier decide.
    const applier = new ConfigApplier({
      dir: p('agent-data/config'),
      publicKey: await readFile(p('bundle/center-public.pem'), 'utf8'),
      agentId: 'osan-gw-01',
      siteId: 'osan',
    });
    await applier.start();
    const agent = await mqtt.connectAsync(mosq.url, {
      username: 'osan-gw-01',
      password: AGENT_PASSWORD,
      reconnectPeriod: 0,
    });
    const got = new Promise<Buffer>((resolve) => agent.on('message', (_t, payload) => resolve(payload)));
    await agent.subscribeAsync(agentTopic('osan', 'osan-gw-01', 'config'), { qos: 1 });
    const decision = applier.decide(await got);
    await agent.endAsync();
    assert.equal(decision.action, 'apply');
    assert.ok(decision.action === 'apply' && decision.document.logging.level === 'debug');

    // A tampered file never leaves the operator's machine.
    const env = JSON.parse(await readFile(p('next.signed.json'), 'utf8'));
    env.document.logging.level = 'trace';
    await writeFile(p('tampered.json'), JSON.stringify(env));
    const before = center.pushes.length;
    const t = await cli([
      'push',
      p('tampered.json'),
      '--api',
      center.url,
      '--token',
      TOKEN,
      '--pub',
      p('keys/public.pem'),
    ]);
    assert.equal(t.code, 1);
    assert.match(t.stderr, /^verify: bad signature/);
    assert.equal(center.pushes.length, before);
    const unsigned = await cli(['push', p('next.json'), '--api', center.url, '--token', TOKEN]);
    assert.equal(unsigned.code, 1);
    assert.match(unsigned.stderr, /next\.json: not a signed config \(run sign first\)/);
  });
});
