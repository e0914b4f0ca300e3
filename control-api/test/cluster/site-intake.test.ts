/**
 * Issue 19, cluster throughput: the site consumers of one instance feed ingest through one
 * SiteIntake. On a real Mosquitto, six site sessions hold a backlog that the broker hands over at
 * once when their consumers connect (a takeover after an outage, or a flood):
 * - the event loop gets a turn every few messages (no turn did a whole socket chunk of every site,
 *   which stalled database answers, and with them alarm raises, for up to a second);
 * - every message is handled exactly once, and every one is acknowledged only after `durable()`
 *   (a second connection of the same sessions gets nothing again);
 * - sites take turns: no site's backlog is handled before another site's first message.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import pino from 'pino';
import { type MosquittoInstance, startMosquitto } from '../../../testkit/index.js';
import { SiteConsumer } from '../../src/ingest/site-consumer.js';
import { SiteIntake } from '../../src/ingest/site-intake.js';

const log = pino({ level: 'silent' });
const SITES = ['s1', 's2', 's3', 's4', 's5', 's6'];
const PER_SITE = 400;
/** CPU per message in the handler (~ a telemetry message of 20 readings through ingest). */
const COST_MS = 0.4;

let broker: MosquittoInstance;
before(async () => {
  broker = await startMosquitto();
});
after(async () => {
  await broker?.stop();
});

function burn(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* the handler's own work */
  }
}

async function connectAll(intake: SiteIntake): Promise<SiteConsumer[]> {
  const consumers = SITES.map(
    (siteId) => new SiteConsumer({ url: broker.url, siteId, log, intake, mayResume: async () => true }),
  );
  await Promise.all(consumers.map((c) => c.start()));
  return consumers;
}

test('one intake for every site: turns for the event loop, fair sites, each message once, acks after durable', {
  timeout: 120_000,
}, async () => {
  // Each message's turn number: a repeating setImmediate counts the event loop's turns.
  let turn = 0;
  let ticking = true;
  const tick = () => {
    turn++;
    if (ticking) setImmediate(tick);
  };
  tick();
  const seen = new Map<string, number>();
  const perTurn = new Map<number, number>();
  const order: string[] = [];
  let durableCalls = 0;
  const intake = new SiteIntake({
    log,
    durable: async () => void durableCalls++,
    handle: (topic) => {
      seen.set(topic, (seen.get(topic) ?? 0) + 1);
      perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1);
      order.push(topic.split('/')[2] as string);
      burn(COST_MS);
    },
  });
  // The sessions exist (subscribed once), then the backlog is published while nobody reads them.
  for (const c of await connectAll(intake)) await c.stop();
  const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  await Promise.all(
    SITES.flatMap((siteId) =>
      Array.from({ length: PER_SITE }, (_, i) =>
        pub.publishAsync(`gwanje/v1/${siteId}/a1/telemetry`, JSON.stringify({ i, pad: 'x'.repeat(60) }), { qos: 1 }),
      ),
    ),
  );
  const consumers = await connectAll(intake);
  const deadline = Date.now() + 60_000;
  while (order.length < SITES.length * PER_SITE && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(order.length, SITES.length * PER_SITE, 'every queued message handled');
  for (const siteId of SITES) assert.equal(seen.get(`gwanje/v1/${siteId}/a1/telemetry`), PER_SITE);

  // With the work of a whole chunk per site in one turn, a turn held hundreds of messages.
  const most = Math.max(...perTurn.values());
  assert.ok(most <= 40, `at most a slice of messages per event-loop turn, saw ${most}`);
  // Fairness: every site's first message comes before any site's 100th.
  const firstOf = SITES.map((s) => order.indexOf(s));
  assert.ok(Math.max(...firstOf) < 100 * SITES.length, `sites take turns (first messages at ${firstOf})`);

  await intake.releaseAcks();
  assert.ok(durableCalls > 0, 'acks were released through durable()');
  for (const c of consumers) await c.stop();
  // Acknowledged: the same sessions resumed get nothing again.
  const before = order.length;
  const again = await connectAll(intake);
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(order.length, before, 'no message redelivered after its ack');
  for (const c of again) await c.stop();
  ticking = false;
  intake.stop();
  await pub.endAsync();
});

test('acks wait while the store is not durable, and go once it is', { timeout: 60_000 }, async () => {
  let durable = false;
  let handled = 0;
  const intake = new SiteIntake({
    log,
    ackEveryMs: 50,
    durable: async () => {
      if (!durable) throw new Error('not yet written');
    },
    handle: () => void handled++,
  });
  const consumer = new SiteConsumer({ url: broker.url, siteId: 'held', log, intake, mayResume: async () => true });
  await consumer.start();
  const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  for (let i = 0; i < 20; i++) await pub.publishAsync('gwanje/v1/held/a1/telemetry', `{"i":${i}}`, { qos: 1 });
  while (handled < 20) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300)); // several release rounds fail meanwhile
  // Killed now (no ack left): the next connection of the session gets all 20 again.
  await consumer.stop().catch(() => undefined);
  const redelivered = new SiteIntake({ log, durable: async () => undefined, handle: () => void handled++ });
  const next = new SiteConsumer({
    url: broker.url,
    siteId: 'held',
    log,
    intake: redelivered,
    mayResume: async () => true,
  });
  durable = true;
  await next.start();
  const end = Date.now() + 10_000;
  while (handled < 40 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  assert.equal(handled, 40, 'unacknowledged messages come again to the next consumer');
  await next.stop();
  intake.stop();
  redelivered.stop();
  await pub.endAsync();
});
