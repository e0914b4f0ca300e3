/**
 * Issue 19, the ownership API on a real PostgreSQL (throwaway database): leases split the sites
 * between live instances, each site has exactly one owner that every instance agrees on, a site's
 * work is taken up before `site.owned` and put down before `site.released`, and an instance that
 * stops renewing (its database connection gone, as after kill -9) loses its sites to the others
 * within TTL + a tick, while it gives them up by itself (self-fencing).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from '../../../testkit/postgres.js';
import { EventBus } from '../../src/bus.js';
import { ActionRelay } from '../../src/cluster/action-relay.js';
import { fairShare, LeaseOwnership } from '../../src/cluster/lease-loop.js';
import { type ClusterTables, LeaseTable } from '../../src/cluster/leases.js';
import { NoOwnerError } from '../../src/cluster/ownership.js';
import { type Db, openDatabase } from '../../src/store/db.js';

const log = pino({ level: 'silent' });
const SITES = ['anyang', 'bucheon', 'guri', 'suwon', 'yongin'];
// Short enough for a quick test, long enough that a loaded CI machine does not miss renewals.
const TICK = 200;
const TTL = 1_500;

let tdb: TestDatabase;
let dir: string;
before(async () => {
  tdb = await createTestDatabase('gwanje_lease');
  dir = mkdtempSync(join(tmpdir(), 'gwanje-lease-'));
});

interface Member {
  db: Db;
  own: LeaseOwnership;
  events: string[];
}

/** `failOnce`: that site's first take-up fails; `refuse`: take-ups fail while it says so (broker unreachable). */
async function member(id: string, failOnce?: string, refuse?: () => boolean): Promise<Member> {
  const db = await openDatabase({ url: tdb.url, dataDir: dir, log });
  const bus = new EventBus(log);
  const events: string[] = [];
  const own = new LeaseOwnership({
    leases: new LeaseTable(db.kysely.withoutPlugins() as never as import('kysely').Kysely<ClusterTables>),
    instanceId: id,
    publicUrl: `http://${id}.example:8080`,
    siteIds: async () => SITES,
    bus,
    log,
    now: Date.now,
    tickMs: TICK,
    ttlMs: TTL,
  });
  own.serve({
    take: async (s) => {
      if (refuse?.()) throw new Error('site session not resumed');
      if (s === failOnce) {
        failOnce = undefined;
        throw new Error('restore failed');
      }
      events.push(`take ${s}`);
    },
    give: async (s) => void events.push(`give ${s}`),
  });
  bus.on('test', 'site.owned', ({ siteId }) => events.push(`owned ${siteId}`));
  bus.on('test', 'site.released', ({ siteId, reason }) => events.push(`released ${siteId} ${reason}`));
  const m = { db, own, events };
  started.push(m);
  return m;
}

const until = async (cond: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const started: Member[] = [];
after(async () => {
  for (const m of started) await m.own.stop().catch(() => undefined);
  for (const m of started) await m.db.close().catch(() => undefined);
  await tdb.drop();
  rmSync(dir, { recursive: true, force: true });
});

test('two instances split the sites, agree on every owner, and one takes all over when the other dies', async () => {
  const a = await member('center-a');
  await a.own.start();
  assert.deepEqual(a.own.mySites(), SITES, 'alone, an instance owns every site');
  assert.deepEqual(a.events.slice(0, 2), ['take anyang', 'owned anyang'], 'work taken up before the site is announced');

  const b = await member('center-b');
  await b.own.start();
  // The first instance gives back what exceeds its share (the older of two holds 3 of 5); the second takes it.
  await until(() => b.own.mySites().length === 2 && a.own.mySites().length === 3, 5_000, 'rebalancing');
  await until(
    () => SITES.every((s) => a.own.ownerOf(s)?.instanceId === b.own.ownerOf(s)?.instanceId),
    2_000,
    'agreement',
  );
  for (const s of SITES) {
    const owner = a.own.ownerOf(s);
    assert.ok(owner, `${s} has an owner`);
    assert.equal(a.own.isMine(s) !== b.own.isMine(s), true, `${s} is owned by exactly one instance`);
  }
  const moved = b.own.mySites()[0];
  assert.ok(a.events.indexOf(`give ${moved}`) < a.events.indexOf(`released ${moved} rebalance`));
  assert.equal(b.own.ownerOf(moved)?.publicUrl, 'http://center-b.example:8080');
  assert.equal(b.own.ownerOf(moved)?.fencing, 2, 'the fencing token rose with the change of holder');
  const listed = a.own.instances();
  assert.deepEqual(
    listed.map((i) => [i.instanceId, i.sites.length]),
    [
      ['center-a', 3],
      ['center-b', 2],
    ],
  );

  // center-b dies: its connections close and it renews no more.
  const t0 = Date.now();
  await b.db.close();
  await until(() => a.own.mySites().length === SITES.length, 5_000, 'takeover');
  const took = Date.now() - t0;
  assert.ok(took <= TTL + 3 * TICK + 500, `taken over in ${took} ms`);
  // The dead one, unable to renew for a whole TTL, gave its sites up on its own.
  await until(() => b.own.mySites().length === 0, 3_000, 'self-fencing');
  assert.ok(b.events.includes(`released ${moved} lost`));
  await a.own.stop();
  await b.own.stop();
  await a.db.close();
});

test('a stopping instance hands its sites over at once (no wait for expiry)', async () => {
  const a = await member('center-c');
  const b = await member('center-d');
  await a.own.start();
  await b.own.start();
  await until(() => a.own.mySites().length + b.own.mySites().length === SITES.length, 5_000, 'split');
  const t0 = Date.now();
  await b.own.stop();
  await until(() => a.own.mySites().length === SITES.length, 3_000, 'handover');
  assert.ok(Date.now() - t0 < TTL + 3 * TICK, 'released leases are taken without waiting for their TTL');
  assert.deepEqual(
    b.own.instances().map((i) => i.instanceId),
    ['center-c', 'center-d'],
    'the stopped instance keeps its last snapshot',
  );
  await a.own.stop();
  await a.db.close();
  await b.db.close();
});

test('fair shares: 31 sites on 3 instances are 11/10/10, oldest first; an instance not yet listed takes the ceiling', () => {
  const live = [{ instanceId: 'x' }, { instanceId: 'y' }, { instanceId: 'z' }];
  assert.deepEqual(
    live.map((i) => fairShare(31, live, i.instanceId)),
    [11, 10, 10],
  );
  assert.equal(fairShare(31, live, 'new'), 11);
  assert.equal(fairShare(31, [], 'alone'), 31);
});

test('a site whose takeover failed is freed and taken again on a later round', async () => {
  const a = await member('center-e', 'guri');
  await a.own.start();
  assert.equal(a.own.isMine('guri'), false, 'not owned while its work could not be taken up');
  assert.ok(a.events.includes('released guri lost'));
  await until(() => a.own.isMine('guri'), 3_000, 'retry');
  await a.own.stop();
});

test('an action for a site nobody can take answers no-owner within the takeover time, not after 12 s', async () => {
  const b = await member('relay-b');
  await b.own.start();
  // relay-a cannot take any site up (its consumers cannot reach the broker, say).
  const a = await member('relay-a', undefined, () => true);
  await a.own.start();
  const relay = (m: Member) =>
    new ActionRelay({
      url: tdb.url,
      db: m.db.kysely.withoutPlugins() as never,
      ownership: m.own,
      log,
      ownerWaitMs: TTL + 2 * TICK,
    });
  const ra = relay(a);
  const rb = relay(b);
  await ra.start();
  await rb.start();
  rb.serve(async (r) => ({ id: r.alarmId, state: 'acked' }) as never);
  const request = { alarmId: 'al-1', action: 'ack' as const, actor: 'op', args: {} };
  // The rebalance gave back what exceeds relay-b's share; relay-a could not take it: no owner.
  await until(() => b.own.mySites().length < SITES.length, 5_000, 'rebalance');
  const orphan = SITES.find((s) => !b.own.isMine(s)) as string;
  const mine = b.own.mySites()[0] as string;
  await until(
    () => a.own.ownerOf(mine)?.instanceId === 'relay-b' && a.own.ownerOf(orphan) === undefined,
    3_000,
    'snapshot',
  );
  assert.deepEqual(await ra.forward(mine, request), { id: 'al-1', state: 'acked' }, 'the owner applies it');

  const timed = async (siteId: string) => {
    const t0 = Date.now();
    const err = await ra.forward(siteId, request).then(
      () => undefined,
      (e: Error) => e,
    );
    return { err, ms: Date.now() - t0 };
  };
  const none = await timed(orphan);
  assert.ok(none.err instanceof NoOwnerError, `no-owner error, got ${none.err?.message}`);
  assert.equal(none.err.siteId, orphan);
  assert.ok(none.err.retryAfterS >= 1);
  assert.ok(none.ms < TTL + 2 * TICK + 1_000, `answered in ${none.ms} ms`);

  // The owner dies (its connections close): nobody takes its sites, the answer comes as quickly.
  await rb.stop();
  await b.db.close();
  const dead = await timed(mine);
  assert.ok(dead.err instanceof NoOwnerError, `no-owner error, got ${dead.err?.message}`);
  assert.ok(dead.ms < TTL + 2 * TICK + 3_500, `answered in ${dead.ms} ms`);
  await ra.stop();
  await a.own.stop();
  await b.own.stop();
  await a.db.close();
});
