/**
 * Remote configuration on the agent (firmware-config ConfigApplier wired by AgentSupervisor):
 * a signed config on the retained `config` topic is applied, a foreign signature is rejected,
 * a config that cuts the agent off from the center is rolled back, and the last good config
 * is what boots next time.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { signConfig } from '@gwanje/firmware-config';
import type { AgentStatus, Telemetry } from '@gwanje/protocol';
import mqtt from 'mqtt';
import pino from 'pino';
import { freePort, startMosquitto, waitFor } from '../../testkit/index.js';
import { AgentSupervisor } from '../src/supervisor.js';

test('signed config: applied, foreign key rejected, unreachable center rolled back, last good boots', {
  timeout: 60_000,
}, async (t) => {
  const broker = await startMosquitto();
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-sup-'));
  t.after(async () => {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const other = generateKeyPairSync('ed25519');
  writeFileSync(join(dir, 'center-public.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  const base = {
    siteId: 'suwon',
    agentId: 'sup-agent',
    central: { url: broker.url, username: 'sup-agent', password: 'pw', configPublicKeyFile: 'center-public.pem' },
    field: { url: broker.url },
    dataDir: join(dir, 'data'),
    drivers: [{ id: 'sim', type: 'simulated', periodMs: 100 }],
    sensors: [{ sensorId: 'sup-ch4', metric: 'gas', gas: 'CH4', unit: '%LEL' }],
    logging: { level: 'warn' },
  };
  const file = join(dir, 'agent.json');
  writeFileSync(file, JSON.stringify(base));

  const center = await mqtt.connectAsync(broker.url, { clientId: 'test-center-sup', protocolVersion: 4 });
  t.after(() => center.endAsync());
  const sensorsSeen = new Set<string>();
  let status: AgentStatus | undefined;
  center.on('message', (topic, p) => {
    const v = JSON.parse(p.toString());
    if (topic.endsWith('/status')) status = v;
    if (topic.endsWith('/telemetry')) for (const r of (v as Telemetry).readings) sensorsSeen.add(r.sensorId);
  });
  await center.subscribeAsync(['gwanje/v1/suwon/sup-agent/status', 'gwanje/v1/suwon/sup-agent/telemetry'], { qos: 1 });
  const push = (env: unknown) =>
    center.publishAsync('gwanje/v1/suwon/sup-agent/config', JSON.stringify(env), { qos: 1, retain: true });

  let sup = new AgentSupervisor(file, { log: pino({ level: 'silent' }), confirmMs: 3000 });
  await sup.start();
  t.after(() => sup.stop());
  await waitFor(() => sensorsSeen.has('sup-ch4'), 10_000);

  // 1. A signed config adding a CO sensor: applied, reported, running.
  const v2 = { ...base, sensors: [...base.sensors, { sensorId: 'sup-co', metric: 'gas', gas: 'CO', unit: 'ppm' }] };
  const env2 = signConfig(v2, privateKey);
  await push(env2);
  await waitFor(() => status?.config?.outcome === 'applied' && status.config.version === env2.version, 15_000);
  sensorsSeen.clear();
  await waitFor(() => sensorsSeen.has('sup-co'), 10_000);

  // 2. Signed by a key the agent was not provisioned with: rejected, the agent keeps running v2.
  const forged = signConfig({ ...v2, sensors: [] }, other.privateKey);
  await push(forged);
  await waitFor(() => status?.config?.outcome === 'rejected', 10_000);
  assert.match(status?.config?.error ?? '', /^(key-id|signature)/);
  sensorsSeen.clear();
  await waitFor(() => sensorsSeen.has('sup-co'), 10_000);

  // 3. A valid config pointing at a dead broker: the new agent never reaches the center, rolled back.
  const dead = await freePort();
  const env3 = signConfig({ ...v2, central: { ...v2.central, url: `mqtt://127.0.0.1:${dead}` } }, privateKey);
  await push(env3);
  await waitFor(() => status?.config?.outcome === 'rolled-back' && status.config.version === env3.version, 20_000);
  sensorsSeen.clear();
  await waitFor(() => sensorsSeen.has('sup-co'), 10_000);

  // 4. Restart from the original file: the last good config (v2) is what boots.
  await center.publishAsync('gwanje/v1/suwon/sup-agent/config', '', { qos: 1, retain: true });
  await sup.stop();
  sup = new AgentSupervisor(file, { log: pino({ level: 'silent' }), confirmMs: 3000 });
  await sup.start();
  sensorsSeen.clear();
  await waitFor(() => sensorsSeen.has('sup-co'), 10_000);
  assert.deepEqual(status?.config, { version: env2.version, outcome: 'applied' });
});
