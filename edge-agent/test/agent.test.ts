/** EdgeAgent end to end against a real Mosquitto: config errors, telemetry, status/will, seq across restarts, TLS. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AgentStatus, CameraInventory, Telemetry } from '@gwanje/protocol';
import { ValidationError } from '@gwanje/protocol';
import mqtt from 'mqtt';
import pino from 'pino';
import { freePort, startMosquitto, waitFor } from '../../testkit/index.js';
import { EdgeAgent } from '../src/agent.js';
import { simulatedAgentConfig } from '../src/sim/province.js';

const log = pino({ level: 'silent' });

test('an invalid config is refused with every path: message', () => {
  assert.throws(
    () =>
      new EdgeAgent({
        siteId: 'Bad Site',
        agentId: 'a1',
        central: { username: 'u', password: 'p' },
        field: { url: 'mqtt://x' },
        dataDir: '/tmp/x',
        sensors: [{ sensorId: 's1', metric: 'gas', unit: 'furlongs' }],
        colour: 'blue',
      }),
    (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      const text = err.errors.join('\n');
      assert.match(text, /^siteId: must match pattern/m);
      assert.match(text, /^central\.url: /m);
      assert.match(text, /^sensors\.0\.unit: must be one of/m);
      assert.match(text, /^colour: unknown key/m);
      return true;
    },
  );
});

test('simulated agent: telemetry batches, retained status, seq continues across restarts', {
  timeout: 30_000,
}, async (t) => {
  const broker = await startMosquitto();
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-agent-'));
  t.after(async () => {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const config = simulatedAgentConfig({
    siteId: 'suwon',
    agentId: 'suwon-sim-1',
    brokerUrl: broker.url,
    username: 'suwon-sim-1',
    password: 'pw',
    videoUrl: 'http://127.0.0.1:1',
    dataDir: dir,
    incidentEverySec: 0,
    seed: 5,
    periodMs: 100,
  });
  const center = await mqtt.connectAsync(broker.url, { clientId: 'test-center-agent', protocolVersion: 4 });
  t.after(() => center.endAsync());
  const batches: Telemetry[] = [];
  const statuses: AgentStatus[] = [];
  let inventory: CameraInventory | undefined;
  center.on('message', (topic, p) => {
    if (topic.endsWith('/cameras')) inventory = JSON.parse(p.toString());
    if (topic.endsWith('/telemetry')) batches.push(JSON.parse(p.toString()));
    if (topic.endsWith('/status')) statuses.push(JSON.parse(p.toString()));
  });
  await center.subscribeAsync('gwanje/v1/suwon/suwon-sim-1/#', { qos: 1 });

  let agent = new EdgeAgent(config, { log });
  // A failed assertion before the planned stop must not leave the agent running (the file would
  // never end and hold the whole test run).
  let firstStopped = false;
  t.after(async () => {
    if (!firstStopped) await agent.stop();
  });
  await agent.start();
  await waitFor(() => batches.length >= 3, 10_000);
  assert.equal(statuses[0]?.state, 'online');
  const sensors = new Set(batches.flatMap((b) => b.readings.map((r) => r.sensorId)));
  assert.deepEqual([...sensors].sort(), ['suwon-ch4-1', 'suwon-co-1', 'suwon-flame-1', 'suwon-h2s-1', 'suwon-temp-1']);
  assert.deepEqual([...new Set(batches.map((b) => b.agentId))], ['suwon-sim-1']);
  assert.deepEqual(
    batches.flatMap((b) => b.readings.filter((r) => r.quality !== 'good')),
    [],
    'every simulated reading is good',
  );
  assert.deepEqual(inventory, {
    cameras: [
      {
        cameraId: 'suwon-cam-1',
        name: 'suwon virtual camera',
        ptz: false,
        profiles: [{ token: 'test-pattern', width: 640, height: 360, codec: 'H264' }],
      },
    ],
  });
  await agent.stop();
  firstStopped = true;
  await waitFor(() => statuses[statuses.length - 1]?.state === 'offline', 5000);
  const lastSeq = batches[batches.length - 1].seq;
  const stats = agent.stats();
  assert.equal(stats.buffered, 0, 'stop drains what was accepted');
  assert.equal(stats.forwarded, stats.accepted);
  assert.equal(
    batches.reduce((n, b) => n + b.readings.length, 0),
    stats.accepted,
    'every accepted reading reached the broker',
  );

  const before = batches.length;
  agent = new EdgeAgent(config, { log });
  await agent.start();
  t.after(() => agent.stop());
  await waitFor(() => batches.length > before, 10_000);
  assert.equal(batches[before].seq, lastSeq + 1, 'seq survives the restart and rises by one');
});

test('TLS: mqtts:// with a CA file', { timeout: 30_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-tls-'));
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=Gwanje Test CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
  );
  ssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    f('server.key'),
    '-out',
    f('server.csr'),
  );
  const ext = f('ext.cnf');
  execFileSync('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ${ext}`]);
  ssl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    ext,
    '-out',
    f('server.pem'),
  );
  const tlsPort = await freePort();
  const broker = await startMosquitto({
    extraConfig: [
      `listener ${tlsPort} 127.0.0.1`,
      `cafile ${f('ca.pem')}`,
      `certfile ${f('server.pem')}`,
      `keyfile ${f('server.key')}`,
    ].join('\n'),
  });
  // One hook, in order: the agent stops before its data directory is removed (it writes its queue
  // state until it stops; removing the directory first failed the test with ENOENT).
  let agent: EdgeAgent | undefined;
  t.after(async () => {
    await agent?.stop();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const center = await mqtt.connectAsync(broker.url, { clientId: 'test-center-tls', protocolVersion: 4 });
  t.after(() => center.endAsync());
  const got: Telemetry[] = [];
  center.on('message', (_t, p) => got.push(JSON.parse(p.toString())));
  await center.subscribeAsync('gwanje/v1/suwon/tls-agent/telemetry', { qos: 1 });
  agent = new EdgeAgent(
    {
      siteId: 'suwon',
      agentId: 'tls-agent',
      central: { url: `mqtts://127.0.0.1:${tlsPort}`, username: 'tls-agent', password: 'pw', caFile: f('ca.pem') },
      field: { url: broker.url },
      dataDir: join(dir, 'data'),
      drivers: [{ id: 'sim', type: 'simulated', periodMs: 100 }],
      sensors: [{ sensorId: 'tls-ch4', metric: 'gas', gas: 'CH4', unit: '%LEL' }],
    },
    { log },
  );
  await agent.start();
  await waitFor(() => got.length > 0, 10_000);
  assert.equal(got[0].readings[0].sensorId, 'tls-ch4');
});
