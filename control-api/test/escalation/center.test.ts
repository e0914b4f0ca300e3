/**
 * Issue 8's restart requirement against the real center process (`node --import tsx
 * control-api/src/main.ts`) and a real Kannel: a 60 %LEL reading from a provisioned agent raises
 * gas-high, tier 1 texts the on-duty supervisor, the center is killed with SIGKILL mid-escalation
 * and restarted on the same data dir, and tier 2 still goes out: the phones received exactly
 * tier 1 + tier 2, nothing lost and nothing sent twice.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { EscalationPolicy } from '@gwanje/escalation';
import mqtt from 'mqtt';
import { type Kannel, startKannel } from '../../../escalation/test/kannel-harness.js';
import { roster } from '../../../escalation/test/support.js';
import { freePort, jsonApi, type Spawned, spawnServer, waitFor } from '../../../testkit/index.js';

const ROOT = new URL('../../..', import.meta.url).pathname;
const PASSWORD = 'esc-Control-r00m-7!';
const KEY = 'callback-key-0123456789';

let kannel: Kannel;
let dataDir: string;
let httpPort: number;
let mqttPort: number;
let proc: Spawned | undefined;
const base = () => `http://127.0.0.1:${httpPort}`;

async function startCenter(): Promise<Spawned> {
  const p = spawnServer(process.execPath, ['--import', 'tsx', join(ROOT, 'control-api/src/main.ts')], {
    ...process.env,
    GWANJE_HTTP_PORT: String(httpPort),
    GWANJE_MQTT_PORT: String(mqttPort),
    GWANJE_HOST: '127.0.0.1',
    GWANJE_PUBLIC_URL: base(),
    GWANJE_DATA_DIR: dataDir,
    GWANJE_ADMIN_PASSWORD: PASSWORD,
    GWANJE_SIMULATE: '0',
    GWANJE_LOG_LEVEL: process.env.ESC_LOG ?? 'warn',
    GWANJE_SMS_PROVIDERS: 'kannel',
    GWANJE_KANNEL_SENDSMS_URL: kannel.sendsmsUrl,
    GWANJE_KANNEL_USERNAME: kannel.username,
    GWANJE_KANNEL_PASSWORD: kannel.password,
    GWANJE_KANNEL_FROM: '1588',
    GWANJE_SMS_CALLBACK_KEY: KEY,
  });
  await waitFor(() => p.output().includes('Gwanje is running') || p.proc.exitCode !== null, 60_000, 50);
  assert.ok(p.output().includes('Gwanje is running'), p.output());
  return p;
}

const api = jsonApi(base);

before(async () => {
  [httpPort, mqttPort] = await Promise.all([freePort(), freePort()]);
  dataDir = mkdtempSync(join(tmpdir(), 'gwanje-esc-center-'));
  kannel = await startKannel({ moUrl: `http://127.0.0.1:${httpPort}/api/v1/sms/kannel/mo?key=${KEY}` });
});

after(async () => {
  await proc?.stop('SIGTERM');
  await kannel?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('SIGKILL between tier 1 and tier 2: after a restart tier 2 is sent, and nothing twice', async () => {
  proc = await startCenter();
  const login = await api<{ token: string }>('POST', '/api/v1/auth/login', undefined, {
    username: 'admin',
    password: PASSWORD,
  });
  assert.equal(login.status, 200);
  const token = login.body.token;
  const policy: EscalationPolicy = {
    id: 'gas-fast',
    siteIds: '*',
    priorities: [1],
    tiers: [
      { name: 'supervisor', delaySec: 2, recipients: [{ roster: 'default', role: 'supervisor' }] },
      { name: 'safety', delaySec: 6, recipients: [{ roster: 'default', role: 'safety-manager' }] },
    ],
  };
  // The roster's kim acknowledges by SMS as the user kim (F16): an operator of every site whose
  // user record holds the roster's number.
  const kim = await api('POST', '/api/v1/users', token, {
    username: 'kim',
    password: 'Shift-Operator-Pass-7',
    role: 'operator',
    sites: ['*'],
    phone: '010-1111-0001',
  });
  assert.equal(kim.status, 201, JSON.stringify(kim.body));
  const putRoster = await api('PUT', '/api/v1/escalation/rosters', token, [roster]);
  assert.equal(putRoster.status, 200, JSON.stringify(putRoster.body));
  const putPolicy = await api('PUT', '/api/v1/escalation/policies', token, [policy]);
  assert.equal(putPolicy.status, 200, JSON.stringify(putPolicy.body));

  const created = await api<{ mqtt: { url: string; username: string; password: string } }>(
    'POST',
    '/api/v1/agents',
    token,
    { agentId: 'esc-agent', siteId: 'suwon', name: 'esc' },
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const agent = await mqtt.connectAsync(created.body.mqtt.url, {
    protocolVersion: 4,
    username: created.body.mqtt.username,
    password: created.body.mqtt.password,
    clientId: 'esc-agent',
  });
  const raisedAt = Date.now();
  await agent.publishAsync(
    'gwanje/v1/suwon/esc-agent/telemetry',
    JSON.stringify({
      agentId: 'esc-agent',
      seq: 1,
      readings: [
        {
          sensorId: 'suwon-esc-ch4',
          metric: 'gas',
          gas: 'CH4',
          value: 60,
          unit: '%LEL',
          ts: raisedAt,
          quality: 'good',
        },
      ],
    }),
    { qos: 1 },
  );
  await agent.endAsync();

  await waitFor(() => kannel.received().length >= 1, 15_000, 50);
  const tier1 = kannel.received();
  assert.equal(tier1.length, 1, JSON.stringify(tier1));
  assert.ok(Date.now() - raisedAt < 6_000, 'tier 1 must arrive before tier 2 is due');

  proc.proc.kill('SIGKILL');
  await proc.stop('SIGKILL');
  proc = await startCenter();

  await waitFor(() => kannel.received().length >= 2, 20_000, 50);
  // Let a few more ticks run: a duplicate would show up here.
  await new Promise((r) => setTimeout(r, 3_000));
  const all = kannel.received();
  assert.equal(all.length, 2, JSON.stringify(all));
  // Tier 2 texted the safety manager (park), tier 1 a supervisor (kim or lee).
  assert.ok(
    ['01011110001', '01011110002', '+821011110001', '+821011110002'].some((n) => all[0].to.includes(n.slice(-4))),
  );
  assert.ok(all[1].to.endsWith('0003'), JSON.stringify(all[1]));
  assert.match(all[1].text, /60/);
  // Issue 17: /metrics counts what this (restarted) process sent, how long Kannel took to take
  // it, and how late the escalation step ran.
  const metrics = await (await fetch(`${base()}/metrics`)).text();
  assert.match(metrics, /^gwanje_sms_sent_total\{provider="kannel"\} 1$/m);
  assert.match(metrics, /^gwanje_sms_send_seconds_count\{provider="kannel",outcome="sent"\} 1$/m);
  assert.match(metrics, /^gwanje_escalation_lateness_seconds_count [1-9]/m);
});

test("F16: an SMS ACK acknowledges as the roster contact's user, from the phone on record, and is audited", async () => {
  const token = (
    await api<{ token: string }>('POST', '/api/v1/auth/login', undefined, { username: 'admin', password: PASSWORD })
  ).body.token;
  // The review's repro: a roster contact naming "admin" with somebody else's phone.
  const impostor = { id: 'me', name: 'me', phone: '01099998888', lang: 'ko', username: 'admin' };
  const bad = await api<{ error: { field: string } }>('PUT', '/api/v1/escalation/rosters', token, [
    { ...roster, contacts: [...roster.contacts, impostor] },
  ]);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, '0.contacts.4.phone');

  const text = kannel.received()[0]?.text ?? '';
  const code = /(?:확인|ACK) (\d{6})$/.exec(text)?.[1];
  assert.ok(code, `a 6-digit code in "${text}"`);
  await kannel.reply('01011110001', '1588', `ACK ${code}`);
  const alarm = async () =>
    (
      await api<Array<{ sourceId: string; type: string; ackedBy?: string }>>(
        'GET',
        '/api/v1/alarms?siteId=suwon',
        token,
      )
    ).body.find((a) => a.sourceId === 'suwon-esc-ch4' && a.type === 'gas-high');
  await waitFor(async () => (await alarm())?.ackedBy !== undefined, 15_000, 100);
  assert.equal((await alarm())?.ackedBy, 'kim');
  const trail = await api<Array<{ actor: string; detail: string }>>('GET', '/api/v1/audit?action=alarm.ack', token);
  assert.equal(trail.body.length, 1);
  assert.equal(trail.body[0].actor, 'kim');
  assert.equal(JSON.parse(trail.body[0].detail).via, 'sms');
});
