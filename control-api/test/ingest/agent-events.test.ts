/**
 * Security review F21: agents' events are kept in their own table, at a bounded rate per agent
 * (a token bucket on the injected clock), and deleted after the retention period. Through the
 * ingest pipeline's one decode point on the real SQLite store.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ingestStoreOf } from '../../src/center-ports.js';
import { AgentEventBudget } from '../../src/ingest/agent-limits.js';
import { IngestPipeline } from '../../src/ingest/pipeline.js';
import { metricValue, openTestStore, type TestCenterStore } from './fixture.js';

let store: TestCenterStore;
let t = 1_800_000_000_000;
const now = () => t;
const DAY = 86_400_000;

function pipeline() {
  return new IngestPipeline({
    log: store.log,
    metrics: store.metrics,
    store: ingestStoreOf(store.repos, now),
    timeseries: { write: () => undefined } as never,
    alarms: { onReading: () => 'normal', agentStatus: () => undefined },
    live: { reading: () => undefined, agent: () => undefined, camera: () => undefined },
    now,
    limits: { eventsPerHour: 360, eventsBurst: 5, eventRetentionMs: 30 * DAY },
  });
}
const event = (i: number) =>
  Buffer.from(JSON.stringify({ type: 'driver-error', sourceId: `s${i}`, ts: t, detail: 'modbus timeout' }));
const rows = () => store.repos.agentEvents.list('*', { agentId: 'osan-ev-1' });

before(async () => {
  store = await openTestStore();
  await store.credentials.provision('osan-ev-1', 'osan');
});
after(() => store.close());

test('F21: the token bucket allows a burst, then the hourly rate (injected clock)', () => {
  const b = new AgentEventBudget({ eventsPerHour: 360, eventsBurst: 3 }, now);
  assert.deepEqual([b.take('a'), b.take('a'), b.take('a'), b.take('a')], [true, true, true, false]);
  assert.equal(b.take('b'), true, 'per agent');
  t += 9_000;
  assert.equal(b.take('a'), false);
  t += 1_000; // 360 per hour: one every 10 s
  assert.equal(b.take('a'), true);
});

test('F21: events past the burst are counted and dropped; kept ones are in agent_events, not the audit', async () => {
  const p = pipeline();
  await p.start();
  const dropped0 = await metricValue(store.metrics, 'gwanje_rejected_messages_total', '{reason="rate-limit"}');
  for (let i = 0; i < 8; i++) p.handle('gwanje/v1/osan/osan-ev-1/events', event(i));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await rows()).length, 5);
  assert.equal(
    await metricValue(store.metrics, 'gwanje_rejected_messages_total', '{reason="rate-limit"}'),
    dropped0 + 3,
  );
  const audit = await store.repos.audit.list({ limit: 1000 });
  assert.ok(!audit.some((r) => r.action.startsWith('agent.event')));
  assert.equal((await rows())[0].type, 'driver-error');
  await p.stop();
});

test('F21: events older than the retention period are deleted', async () => {
  assert.equal((await rows()).length, 5);
  t += 31 * DAY;
  const p = pipeline();
  await p.start(); // prunes at start, then hourly
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await rows()).length, 0);
  await p.stop();
});
