/**
 * Security review F9 against the whole center: a flood of wrong agent passwords, over MQTT
 * CONNECT and over video-ingest Basic auth, from one address. The first failures are checked
 * (cheaply), the rest are refused from the per-address throttle, and the legitimate agent (from
 * another address) and an operator's login go on working.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import mqttPacket from 'mqtt-packet';
import { centerApi, connectAgent, type IssuedAgent } from '../support/agents.js';
import { startTestCenter, type TestCenter } from '../support/center.js';

const PASSWORD = 'flood-Control-r00m-7!';
const HOSTILE = '127.0.0.4';
let center: TestCenter;
let agent: IssuedAgent;
const c = centerApi(() => center.base);

before(async () => {
  center = await startTestCenter({ password: PASSWORD });
  agent = await c.provision(await c.login('admin', PASSWORD), 'flood-gw', 'suwon');
});
after(async () => {
  await center?.stop();
});

/** One MQTT CONNECT with a wrong password from HOSTILE; resolves with the CONNACK return code (or -1). */
function wrongConnect(i: number): Promise<number> {
  return new Promise((resolve) => {
    const s = connect({ port: center.mqttPort, host: '127.0.0.1', localAddress: HOSTILE });
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    let code = -1;
    parser.on('packet', (p) => {
      if (p.cmd === 'connack') code = (p as mqttPacket.IConnackPacket).returnCode ?? -1;
    });
    s.on('data', (b) => parser.parse(b));
    s.on('error', () => undefined);
    s.on('close', () => resolve(code));
    s.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clientId: 'flood-gw',
        clean: true,
        keepalive: 30,
        username: 'flood-gw',
        password: Buffer.from(`wrong-${i}`),
      }),
    );
  });
}

function wrongPush(i: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: center.httpPort,
        localAddress: HOSTILE,
        method: 'POST',
        path: '/video/ingest/suwon-cam-1',
        headers: { authorization: `Basic ${Buffer.from(`flood-gw:bad-${i}`).toString('base64')}` },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('F9: wrong-password floods over MQTT and video ingest are throttled per address; others are unaffected', async () => {
  // Refused logins are answered a second late and a slot per address is held meanwhile: batches of 20.
  const codes: number[] = [];
  for (let b = 0; b < 3; b++)
    codes.push(...(await Promise.all(Array.from({ length: 20 }, (_, i) => wrongConnect(b * 20 + i)))));
  assert.ok(
    codes.every((x) => x === 4 || x === -1),
    `CONNACKs: ${codes}`,
  );
  const pushes = await Promise.all(Array.from({ length: 40 }, (_, i) => wrongPush(i)));
  assert.ok(
    pushes.every((x) => x === 403),
    `pushes: ${pushes}`,
  );
  const checked = await c.metric('gwanje_agent_login_refused_total', '{reason="bad-password"}');
  const throttled = await c.metric('gwanje_agent_login_refused_total', '{reason="throttled-address"}');
  assert.ok(checked <= 30, `${checked} wrong passwords were checked`);
  assert.equal(checked + throttled, 100);
  // The real agent, from its own address, and an operator are not affected.
  const ok = await connectAgent(agent);
  await ok.endAsync();
  const t = performance.now();
  await c.login('admin', PASSWORD);
  assert.ok(performance.now() - t < 3000);
});
