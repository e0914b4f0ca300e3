/**
 * Security review F7 against the whole center (embedded broker, SQLite): one telemetry message
 * with seq 2^53-1 used to make the center drop every later reading of that agent as a duplicate,
 * silently and even after its credentials were revoked and re-issued. Now the impossible seq is
 * refused and counted, gas alarms still come through, a sequence that restarts lower is judged by
 * its readings, new credentials reset the stored seq, and an agent whose messages are all being
 * dropped shows in gwanje_agents_duplicates_only.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import { waitFor } from '../../../testkit/index.js';
import { centerApi, connectAgent, type IssuedAgent } from '../support/agents.js';
import { startTestCenter, type TestCenter } from '../support/center.js';

const PASSWORD = 'seq-Control-r00m-7!';
let center: TestCenter;
let admin: string;
const c = centerApi(() => center.base);

before(async () => {
  center = await startTestCenter({ password: PASSWORD });
  admin = await c.login('admin', PASSWORD);
});
after(async () => {
  await center?.stop();
});

function send(client: MqttClient, a: IssuedAgent, seq: number, value: number, ts = Date.now()) {
  return client.publishAsync(
    `gwanje/v1/${a.siteId}/${a.agentId}/telemetry`,
    JSON.stringify({
      agentId: a.agentId,
      seq,
      readings: [{ sensorId: `${a.agentId}-ch4`, metric: 'gas', gas: 'CH4', value, unit: '%LEL', ts, quality: 'good' }],
    }),
    { qos: 1 },
  );
}
const readings = () => c.metric('gwanje_readings_total');
const storedSeq = (agentId: string): number | undefined => {
  const db = new Database(join(center.dataDir, 'gwanje.db'), { readonly: true });
  try {
    const row = db.prepare('SELECT last_seq FROM agent_seq WHERE agent_id = ?').get(agentId) as
      | { last_seq: number }
      | undefined;
    return row?.last_seq;
  } finally {
    db.close();
  }
};

test('F7: a seq of 2^53-1 is refused and counted; the next gas reading still raises gas-high', async () => {
  const a = await c.provision(admin, 'poison-gw', 'ansan');
  const client = await connectAgent(a);
  const ahead = await c.metric('gwanje_rejected_messages_total', '{reason="seq-ahead"}');
  const stored = await readings();
  await send(client, a, Number.MAX_SAFE_INTEGER, 1);
  await waitFor(
    async () => (await c.metric('gwanje_rejected_messages_total', '{reason="seq-ahead"}')) === ahead + 1,
    5000,
  );
  assert.equal(await readings(), stored);
  await send(client, a, Date.now(), 60);
  await waitFor(async () => {
    const alarms = await c.api<Array<{ sourceId: string; type: string }>>('GET', '/api/v1/alarms?siteId=ansan', admin);
    return alarms.body.some((x) => x.sourceId === 'poison-gw-ch4' && x.type === 'gas-high');
  }, 5000);
  assert.equal(await readings(), stored + 1);
  await client.endAsync();
});

test('F7: a sequence that restarts lower keeps its new readings and drops the replayed ones', async () => {
  const a = await c.provision(admin, 'reimaged-gw', 'ansan');
  const client = await connectAgent(a);
  const t0 = Date.now();
  await send(client, a, t0, 1, t0);
  await waitFor(async () => storedSeq('reimaged-gw') === t0, 5000);
  const stored = await readings();
  const dup = await c.metric('gwanje_duplicate_messages_total');
  // The box was re-imaged: seq starts again from a lower number, with newer readings.
  await send(client, a, 7, 2, t0 + 1000);
  await waitFor(async () => (await readings()) === stored + 1, 5000);
  await waitFor(async () => storedSeq('reimaged-gw') === 7, 5000);
  // A replay of the old message (its reading is not newer than what is stored) is a duplicate.
  await send(client, a, 5, 1, t0);
  await waitFor(async () => (await c.metric('gwanje_duplicate_messages_total')) === dup + 1, 5000);
  assert.equal(await readings(), stored + 1);
  await client.endAsync();
});

test('F7: re-issued credentials reset the stored seq', async () => {
  const a = await c.provision(admin, 'reissue-gw', 'ansan');
  const client = await connectAgent(a);
  const seq = Date.now();
  await send(client, a, seq, 1);
  await waitFor(async () => storedSeq('reissue-gw') === seq, 5000);
  await client.endAsync();
  assert.equal((await c.api('DELETE', '/api/v1/agents/reissue-gw', admin)).status, 204);
  const again = await c.provision(admin, 'reissue-gw', 'ansan');
  assert.equal(storedSeq('reissue-gw'), -1);
  const fresh = await connectAgent(again);
  const stored = await readings();
  await send(fresh, again, 1, 3);
  await waitFor(async () => (await readings()) === stored + 1, 5000);
  await fresh.endAsync();
});

test('F7: an agent whose messages are all dropped as duplicates is visible in a metric', async () => {
  const a = await c.provision(admin, 'stuck-gw', 'ansan');
  const client = await connectAgent(a);
  const t0 = Date.now();
  await send(client, a, t0, 1, t0);
  for (let i = 0; i < 60; i++) await send(client, a, t0 - 1 - i, 1, t0 - 1000);
  await waitFor(async () => (await c.metric('gwanje_agents_duplicates_only')) === 1, 5000);
  await send(client, a, t0 + 1, 1, t0 + 1000);
  await waitFor(async () => (await c.metric('gwanje_agents_duplicates_only')) === 0, 5000);
  await client.endAsync();
});
