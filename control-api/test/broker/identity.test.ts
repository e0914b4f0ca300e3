/**
 * Security review F2 against the whole center on its embedded broker: the MQTT client id is
 * bound to the login. An agent registered for ansan cannot connect with a suwon agent's client id
 * (so it neither kicks it off, which published its will and raised comm-loss, nor resumes its
 * persistent session and reads the config queued for it, with its passwords), nor with the
 * center's own client id (which dropped every uplink message meant for the center).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { waitFor } from '../../../testkit/index.js';
import { EMBEDDED_SERVICE_CLIENT_ID } from '../../src/broker/types.js';
import { centerApi, connectAgent, type IssuedAgent, QUEUED_SECRET, queueSecretConfig } from '../support/agents.js';
import { startTestCenter, type TestCenter } from '../support/center.js';

const PASSWORD = 'identity-Control-r00m-7!';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
let center: TestCenter;
let admin: string;
let victim: IssuedAgent;
let evil: IssuedAgent;
const c = centerApi(() => center.base);

before(async () => {
  const keyFile = join(tmpdir(), `gwanje-identity-${process.pid}.pem`);
  writeFileSync(keyFile, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  center = await startTestCenter({ password: PASSWORD, env: { GWANJE_CONFIG_PUBLIC_KEY: keyFile } });
  admin = await c.login('admin', PASSWORD);
  victim = await c.provision(admin, 'victim-gw', 'suwon');
  evil = await c.provision(admin, 'evil-gw', 'ansan');
});

after(async () => {
  await center?.stop();
});

test("F2: an agent cannot resume another agent's persistent session and read its queued config", async () => {
  await queueSecretConfig(c.api, admin, victim, privateKey);

  // The ansan agent's credentials with the victim's client id: refused at CONNECT (MQTT 3.1.1
  // CONNACK 2, identifier rejected), nothing delivered.
  const leaked: string[] = [];
  await assert.rejects(
    connectAgent(evil, { clientId: 'victim-gw', clean: false }, (t, p) => leaked.push(`${t} ${p}`)),
    /Identifier rejected/i,
  );
  assert.deepEqual(leaked, []);

  // The owner still gets its config on its own session.
  const got: string[] = [];
  const back = await connectAgent(victim, { clean: false }, (_t, p) => got.push(p.toString()));
  await waitFor(() => got.length > 0, 5000);
  assert.ok(got[0].includes(QUEUED_SECRET));
  await back.endAsync();
});

test('F2: an agent cannot kick a connected agent off by connecting with its client id', async () => {
  const v = await connectAgent(victim);
  let closed = false;
  v.on('close', () => {
    closed = true;
  });
  await assert.rejects(connectAgent(evil, { clientId: 'victim-gw' }), /Identifier rejected/i);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(closed, false, 'the victim was disconnected');
  assert.equal(v.connected, true);
  await v.endAsync();
});

test("F2: an agent cannot take the center's own client id, and uplink keeps flowing", async () => {
  // Today's id and the one of the code the review read (gwanje-api-<host>-<port>).
  for (const id of [EMBEDDED_SERVICE_CLIENT_ID, `gwanje-api-${hostname().slice(0, 40)}-${center.httpPort}`]) {
    await assert.rejects(connectAgent(evil, { clientId: id }), /Identifier rejected/i, id);
  }
  const e = await connectAgent(evil);
  const before = await c.metric('gwanje_readings_total');
  await e.publishAsync(
    'gwanje/v1/ansan/evil-gw/telemetry',
    JSON.stringify({
      agentId: 'evil-gw',
      seq: Date.now(),
      readings: [
        { sensorId: 'ansan-id-co', metric: 'gas', gas: 'CO', value: 1, unit: 'ppm', ts: Date.now(), quality: 'good' },
      ],
    }),
    { qos: 1 },
  );
  await waitFor(async () => (await c.metric('gwanje_readings_total')) === before + 1, 5000);
  assert.equal((await c.api<{ mqtt: string }>('GET', '/healthz')).body.mqtt, 'up');
  await e.endAsync();
  assert.ok((await c.metric('gwanje_broker_refused_total', '{reason="bad-client-id"}')) >= 4);
});
