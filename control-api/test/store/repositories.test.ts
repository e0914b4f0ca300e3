/**
 * One repository suite, run on SQLite (temp dir) and on PostgreSQL (a throwaway database on the
 * machine's server): the same code path must behave the same on both.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Alarm } from '@gwanje/protocol';
import { sql } from 'kysely';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from '../../../testkit/index.js';
import { type Db, openDatabase } from '../../src/store/db.js';
import { Repositories, seedSites } from '../../src/store/repositories.js';

const SEED = new URL('../../../seed/gyeonggi-sites.json', import.meta.url).pathname;
const log = pino({ level: 'silent' });
const T0 = 1_763_900_000_000;

const alarm = (id: string, siteId: string, raisedAt: number, extra: Partial<Alarm> = {}): Alarm => ({
  id,
  siteId,
  sourceId: `${siteId}-ch4-1`,
  sourceKind: 'sensor',
  type: 'gas-high',
  priority: 1,
  state: 'unack',
  raisedAt,
  message: `CH4 high at ${siteId}`,
  cameras: [`${siteId}-cam-1`],
  ...extra,
});

interface Backend {
  name: string;
  open(): Promise<Db>;
  cleanup(): Promise<void>;
}

function sqliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-store-'));
  return {
    name: 'sqlite',
    open: () => openDatabase({ dataDir: dir, log }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function postgresBackend(): Backend {
  let tdb: TestDatabase | undefined;
  return {
    name: 'postgres',
    open: async () => {
      tdb ??= await createTestDatabase('gwanje_store');
      return openDatabase({ url: tdb.url, dataDir: '/nonexistent', log });
    },
    cleanup: async () => tdb?.drop(),
  };
}

for (const make of [sqliteBackend, postgresBackend]) {
  const backend = make();
  describe(`store repositories on ${backend.name}`, () => {
    let db: Db;
    let repos: Repositories;
    before(async () => {
      db = await backend.open();
      repos = new Repositories(db);
    });
    after(async () => {
      await db?.close();
      await backend.cleanup();
    });

    test('migrations are applied once; reopening the same database is a no-op', async () => {
      assert.equal(db.dialect, backend.name);
      const count = async (d: typeof db) =>
        Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM kysely_migration`.execute(d.kysely)).rows[0].n);
      // One row per migration (branches add theirs: count them, do not pin the number).
      const applied = await count(db);
      assert.ok(applied >= 1);
      const again = await backend.open();
      try {
        assert.equal(await count(again), applied);
      } finally {
        await again.close();
      }
    });

    test('seeding gives the 31 Gyeonggi sites and is idempotent', async () => {
      assert.equal(await seedSites(repos, SEED), 31);
      await repos.sites.upsert({ siteId: 'suwon', name: 'Edited', nameKo: '수정', lat: 0, lon: 0 });
      assert.equal(await seedSites(repos, SEED), 31);
      const sites = await repos.sites.list();
      assert.equal(sites.length, 31);
      const suwon = await repos.sites.get('suwon');
      assert.equal(suwon?.name, 'Suwon');
      assert.equal(suwon?.nameKo, '수원시');
      assert.ok(Math.abs((suwon?.lat ?? 0) - 37.26) < 0.05 && Math.abs((suwon?.lon ?? 0) - 127.03) < 0.05);
      assert.deepEqual(
        (await repos.sites.list(['osan', 'guri', 'nowhere'])).map((s) => s.siteId),
        ['guri', 'osan'],
      );
      assert.deepEqual(await repos.sites.list([]), []);
    });

    test('agents: create once, scope, status, revoke, telemetry seq', async () => {
      const base = { mqttPasswordHash: 'scrypt$x', createdAt: T0 };
      assert.equal(await repos.agents.create({ agentId: 'suwon-a1', siteId: 'suwon', ...base }), true);
      assert.equal(await repos.agents.create({ agentId: 'suwon-a1', siteId: 'suwon', ...base }), false);
      assert.equal(await repos.agents.create({ agentId: 'osan-a1', siteId: 'osan', name: 'Osan 1', ...base }), true);
      assert.deepEqual(
        (await repos.agents.list(['osan'])).map((a) => a.agentId),
        ['osan-a1'],
      );
      assert.equal((await repos.agents.list('*')).length, 2);
      await repos.agents.updateStatus('suwon-a1', { state: 'online', lastSeen: T0 + 5, buffered: 7, version: '1.2' });
      await repos.agents.setLastSeq('suwon-a1', 41);
      await repos.agents.setLastSeqMany([
        { agentId: 'suwon-a1', lastSeq: 42 },
        { agentId: 'osan-a1', lastSeq: 3 },
      ]);
      const a = await repos.agents.get('suwon-a1');
      assert.equal(a?.state, 'online');
      assert.equal(a?.buffered, 7);
      assert.equal(a?.lastSeen, T0 + 5);
      assert.equal(a?.lastSeq, 42);
      assert.equal(a?.revoked, false);
      assert.deepEqual([...(await repos.agents.lastSeqs())].sort(), [
        ['osan-a1', 3],
        ['suwon-a1', 42],
      ]);
      assert.equal(await repos.agents.revoke('osan-a1'), true);
      assert.equal(await repos.agents.revoke('nobody'), false);
      assert.equal((await repos.agents.get('osan-a1'))?.revoked, true);
      assert.equal((await repos.agents.list('*', { includeRevoked: false })).length, 1);
      assert.equal(await repos.agents.setPassword('osan-a1', 'scrypt$y'), true);
      assert.equal((await repos.agents.get('osan-a1'))?.revoked, false);
    });

    test('sensors and cameras: upsert keeps last values; updateLastMany is newest-wins', async () => {
      const s = (sensorId: string, siteId: string, agentId: string) => ({
        sensorId,
        siteId,
        agentId,
        metric: 'gas' as const,
        gas: 'CH4',
        unit: '%LEL' as const,
        name: null,
        rules: null,
        cameras: [{ cameraId: `${siteId}-cam-1` }],
        intervalMs: 1000,
      });
      await repos.sensors.upsertMany([
        s('suwon-ch4-1', 'suwon', 'suwon-a1'),
        s('suwon-ch4-2', 'suwon', 'suwon-a1'),
        s('osan-ch4-1', 'osan', 'osan-a1'),
      ]);
      await repos.sensors.updateLastMany([
        { sensorId: 'suwon-ch4-1', value: 3, ts: T0 + 1000 },
        { sensorId: 'suwon-ch4-1', value: 4.5, ts: T0 + 2000, state: 'normal' },
        { sensorId: 'osan-ch4-1', value: 30, ts: T0 + 1500, state: 'alarm' },
        { sensorId: 'unknown-sensor', value: 1, ts: T0 },
      ]);
      // A late replay older than what is stored must not overwrite it.
      await repos.sensors.updateLastMany([{ sensorId: 'suwon-ch4-1', value: 99, ts: T0 + 1999 }]);
      await repos.sensors.upsert({ ...s('suwon-ch4-1', 'suwon', 'suwon-a1'), name: 'Boiler room' });
      const one = await repos.sensors.get('suwon-ch4-1');
      assert.equal(one?.lastValue, 4.5);
      assert.equal(one?.lastTs, T0 + 2000);
      assert.equal(one?.state, 'normal');
      assert.equal(one?.name, 'Boiler room');
      assert.equal((await repos.sensors.get('osan-ch4-1'))?.state, 'alarm');
      assert.equal((await repos.sensors.get('suwon-ch4-2'))?.lastValue, null);
      assert.deepEqual(
        (await repos.sensors.list(['suwon'])).map((x) => x.sensorId),
        ['suwon-ch4-1', 'suwon-ch4-2'],
      );
      assert.equal((await repos.sensors.list('*', { agentId: 'osan-a1' })).length, 1);

      // Many sensors in one call (more than one chunk) stay cheap and all land.
      const many = Array.from({ length: 900 }, (_, i) => s(`bulk-${i}`, 'guri', 'guri-a1'));
      await repos.sensors.upsertMany(many);
      const t = performance.now();
      await repos.sensors.updateLastMany(many.map((m, i) => ({ sensorId: m.sensorId, value: i, ts: T0 + i })));
      const ms = performance.now() - t;
      const bulk = await repos.sensors.list(['guri']);
      assert.equal(bulk.length, 900);
      assert.ok(bulk.every((b) => b.lastValue === Number(b.sensorId.slice(5))));
      console.log(`# ${backend.name}: updateLastMany of 900 sensors took ${ms.toFixed(1)} ms`);

      await repos.cameras.upsertMany([
        { cameraId: 'suwon-cam-1', siteId: 'suwon', agentId: 'suwon-a1', name: 'Gate', ptz: true, profiles: [] },
        { cameraId: 'osan-cam-1', siteId: 'osan', agentId: 'osan-a1', name: 'Yard', ptz: false, profiles: [] },
      ]);
      assert.equal(await repos.cameras.setState('suwon-cam-1', 'live'), true);
      await repos.cameras.upsert({
        cameraId: 'suwon-cam-1',
        siteId: 'suwon',
        agentId: 'suwon-a1',
        name: 'Gate 2',
        ptz: true,
        profiles: [],
      });
      const cam = await repos.cameras.get('suwon-cam-1');
      assert.equal(cam?.ptz, true);
      assert.equal(cam?.state, 'live');
      assert.equal(cam?.name, 'Gate 2');
      assert.deepEqual(
        (await repos.cameras.list(['osan'])).map((c) => [c.cameraId, c.ptz]),
        [['osan-cam-1', false]],
      );

      // An agent's inventory replaces its cameras: new ones added, unreported ones removed.
      await repos.cameras.upsert({
        cameraId: 'osan-cam-2',
        siteId: 'osan',
        agentId: 'osan-a1',
        name: 'Old',
        ptz: false,
        profiles: [],
      });
      const out = await repos.cameras.replaceForAgent('osan', 'osan-a1', [
        { cameraId: 'osan-cam-1', name: 'Yard', ptz: true, profiles: [] },
        { cameraId: 'osan-cam-3', name: 'New', ptz: false, profiles: [] },
      ]);
      assert.deepEqual(out, { removed: ['osan-cam-2'], foreign: [], overLimit: [] });
      assert.deepEqual(
        (await repos.cameras.list('*', { agentId: 'osan-a1' })).map((c) => [c.cameraId, c.ptz]),
        [
          ['osan-cam-1', true],
          ['osan-cam-3', false],
        ],
      );
      // F1: another agent's (or site's) inventory cannot take, move or delete these cameras; a
      // new camera beyond its limit is left out.
      const taken = await repos.cameras.replaceForAgent(
        'suwon',
        'suwon-a1',
        [
          { cameraId: 'osan-cam-1', name: 'Mine now', ptz: false, profiles: [] },
          { cameraId: 'suwon-cam-1', name: 'Gate', ptz: false, profiles: [] },
          { cameraId: 'suwon-cam-8', name: 'Too many', ptz: false, profiles: [] },
        ],
        1,
      );
      assert.deepEqual(taken, { removed: [], foreign: ['osan-cam-1'], overLimit: ['suwon-cam-8'] });
      assert.equal((await repos.cameras.get('osan-cam-1'))?.name, 'Yard');
      assert.equal((await repos.cameras.get('osan-cam-1'))?.siteId, 'osan');
      assert.deepEqual((await repos.cameras.replaceForAgent('osan', 'osan-evil', [])).removed, []);
      assert.ok(await repos.cameras.get('osan-cam-1'));
      await repos.cameras.replaceForAgent('osan', 'osan-a1', [
        { cameraId: 'osan-cam-1', name: 'Yard', ptz: false, profiles: [] },
      ]);

      // First sight of a sensor never overwrites an admin's configuration.
      await repos.sensors.setRules('suwon-ch4-2', [{ type: 'gas-high', setpoint: 20 }]);
      assert.equal(await repos.sensors.register({ ...s('suwon-ch4-2', 'suwon', 'suwon-a1'), rules: null }), false);
      assert.deepEqual((await repos.sensors.get('suwon-ch4-2'))?.rules, [{ type: 'gas-high', setpoint: 20 }]);
      assert.equal(await repos.sensors.register(s('suwon-ch4-9', 'suwon', 'suwon-a1')), true);
      assert.equal(await repos.sensors.remove('suwon-ch4-9'), true);
    });

    test("#15 a sensor's reported configuration and out-of-service round-trip; an upsert without them keeps them", async () => {
      const base = {
        sensorId: 'yongin-co-1',
        siteId: 'yongin',
        agentId: 'yongin-a1',
        metric: 'gas' as const,
        gas: 'CO',
        unit: 'ppm' as const,
        name: null,
        rules: null,
        cameras: null,
        intervalMs: 60_000,
      };
      await repos.sensors.upsert({
        ...base,
        rangeMin: 0,
        rangeMax: 500,
        rangeSource: 'agent',
        calibration: { zero: 0.5, span: 1.02 },
        agentRules: [{ type: 'gas-high', setpoint: 150 }],
        configVersion: 'v7',
        reportedAt: T0,
      });
      assert.equal(
        await repos.sensors.setOutOfService('yongin-co-1', { since: T0, actor: 'kim', reason: 'bump test' }),
        true,
      );
      await repos.sensors.upsert({ ...base, rules: [{ type: 'gas-low', setpoint: 20 }] });
      const got = await repos.sensors.get('yongin-co-1');
      assert.deepEqual(
        [got?.rangeMin, got?.rangeMax, got?.rangeSource, got?.configVersion, Number(got?.reportedAt), got?.rules],
        [0, 500, 'agent', 'v7', T0, [{ type: 'gas-low', setpoint: 20 }]],
      );
      assert.deepEqual(got?.agentRules, [{ type: 'gas-high', setpoint: 150 }]);
      assert.deepEqual(got?.calibration, { zero: 0.5, span: 1.02 });
      assert.equal(got?.outOfService?.reason, 'bump test');
      await repos.sensors.setOutOfService('yongin-co-1', null);
      assert.equal((await repos.sensors.get('yongin-co-1'))?.outOfService, null);
      await repos.journal.append({
        alarmId: 'x-15',
        ts: T0,
        action: 'auto-unshelve',
        actor: 'system',
        facts: { reason: 'shelving-expired' },
      });
      assert.deepEqual((await repos.journal.forAlarm('x-15'))[0].facts, { reason: 'shelving-expired' });
    });

    test('issue 18: a corrupt JSON column reads as absent, logged and counted; the row and its list still answer', async () => {
      const seen: string[] = [];
      db.json.onCorrupt(({ table, column, key }) => seen.push(`${table}.${column} ${key}`));
      const before = db.json.corrupt();
      // Damage as a hand edit or an old bug would leave it, under the repositories' feet.
      await db.kysely
        .updateTable('sensors')
        .set({ rules: 'not json', cameras: '[1, 2]', calibration: '{"zero":"x","span":1}' })
        .where('sensorId', '=', 'yongin-co-1')
        .execute();
      await db.kysely.updateTable('cameras').set({ profiles: '{oops' }).where('cameraId', '=', 'osan-cam-1').execute();
      const got = (await repos.sensors.list(['yongin'])).find((x) => x.sensorId === 'yongin-co-1');
      assert.ok(got, 'the damaged row is still listed');
      assert.deepEqual([got.rules, got.cameras, got.calibration], [null, null, null]);
      assert.deepEqual(got.agentRules, [{ type: 'gas-high', setpoint: 150 }], 'the good columns of the row decode');
      assert.deepEqual((await repos.cameras.get('osan-cam-1'))?.profiles, []);
      assert.equal(db.json.corrupt() - before, 4);
      assert.deepEqual(seen, [
        'sensors.cameras yongin-co-1',
        'sensors.rules yongin-co-1',
        'sensors.calibration yongin-co-1',
        'cameras.profiles osan-cam-1',
      ]);
      // Older rows' bare camera ids read as links.
      await db.kysely
        .updateTable('sensors')
        .set({ cameras: '["osan-cam-1"]' })
        .where('sensorId', '=', 'yongin-co-1')
        .execute();
      assert.deepEqual((await repos.sensors.get('yongin-co-1'))?.cameras, [{ cameraId: 'osan-cam-1' }]);
      // An agent event cut at the storage limit is expected (no event, not counted); a short bad one is corrupt.
      const event = { ts: T0, siteId: 'yongin', agentId: 'yongin-a1', type: 'driver-error', sourceId: 's1' };
      await repos.agentEvents.append({
        ...event,
        detail: JSON.stringify({ type: 'driver-error', sourceId: 's1', ts: T0, pad: 'x'.repeat(5000) }).slice(0, 4000),
      });
      await repos.agentEvents.append({
        ...event,
        ts: T0 + 1,
        detail: JSON.stringify({ type: 'driver-error', sourceId: 's1', ts: T0 }),
      });
      const counted = db.json.corrupt();
      const events = await repos.agentEvents.list('*', { agentId: 'yongin-a1' });
      assert.deepEqual(
        events.map((e) => e.event),
        [{ type: 'driver-error', sourceId: 's1', ts: T0 }, null],
      );
      assert.equal(db.json.corrupt(), counted);
      await repos.agentEvents.append({ ...event, ts: T0 + 2, detail: '{"type":' });
      assert.equal((await repos.agentEvents.list('*', { agentId: 'yongin-a1' }))[0].event, null);
      assert.equal(db.json.corrupt(), counted + 1);
    });

    test('alarms: round trip, newest first, scoping, time range, active set, journal', async () => {
      await repos.alarms.upsert(alarm('a1', 'suwon', T0 + 1000));
      await repos.alarms.upsert(
        alarm('a2', 'osan', T0 + 3000, {
          value: 31.5,
          threshold: 25,
          latched: true,
          active: true,
          latency: { sensorTs: T0 + 2990, receivedAt: T0 + 2995, evaluatedAt: T0 + 2996 },
        }),
      );
      await repos.alarms.upsert(alarm('a3', 'suwon', T0 + 2000, { state: 'normal', clearedAt: T0 + 2500 }));
      const a1 = await repos.alarms.get('a1');
      assert.equal(a1?.value, undefined, 'unset optional fields are absent, not null');
      assert.equal('ackedBy' in (a1 ?? {}), false);
      const a2 = await repos.alarms.get('a2');
      assert.equal(a2?.latched, true);
      assert.equal(a2?.value, 31.5);
      assert.deepEqual(a2?.cameras, ['osan-cam-1']);
      assert.deepEqual(a2?.latency, { sensorTs: T0 + 2990, receivedAt: T0 + 2995, evaluatedAt: T0 + 2996 });

      assert.deepEqual(
        (await repos.alarms.list()).map((a) => a.id),
        ['a2', 'a3', 'a1'],
      );
      assert.deepEqual(
        (await repos.alarms.list({ siteIds: ['suwon'] })).map((a) => a.id),
        ['a3', 'a1'],
      );
      assert.deepEqual(
        (await repos.alarms.list({ states: ['unack'], siteIds: '*' })).map((a) => a.id),
        ['a2', 'a1'],
      );
      assert.deepEqual(
        (await repos.alarms.list({ from: T0 + 1500, to: T0 + 3000 })).map((a) => a.id),
        ['a3'],
      );
      assert.deepEqual(
        (await repos.alarms.list({ limit: 1 })).map((a) => a.id),
        ['a2'],
      );
      assert.deepEqual(await repos.alarms.list({ siteIds: [] }), []);
      assert.deepEqual(
        (await repos.alarms.active(['suwon', 'osan'])).map((a) => a.id),
        ['a2', 'a1'],
      );
      assert.deepEqual(
        (await repos.alarms.active(['osan'])).map((a) => a.id),
        ['a2'],
      );

      // Acknowledge with its journal entry atomically.
      await repos.transaction(async (tx) => {
        await tx.alarms.upsert({ ...(await tx.alarms.get('a1'))!, state: 'acked', ackedAt: T0 + 4000, ackedBy: 'op' });
        await tx.journal.append({
          alarmId: 'a1',
          ts: T0 + 4000,
          action: 'ack',
          actor: 'op',
          fromState: 'unack',
          toState: 'acked',
          comment: '확인',
        });
      });
      await repos.journal.append({ alarmId: 'a1', ts: T0 + 1000, action: 'raise', actor: 'system', toState: 'unack' });
      // A failing transaction leaves nothing behind.
      await assert.rejects(
        repos.transaction(async (tx) => {
          await tx.alarms.upsert({ ...(await tx.alarms.get('a1'))!, state: 'normal' });
          await tx.journal.append({ alarmId: 'a1', ts: T0 + 5000, action: 'reset', actor: 'op' });
          throw new Error('boom');
        }),
        /boom/,
      );
      const acked = await repos.alarms.get('a1');
      assert.equal(acked?.state, 'acked');
      assert.equal(acked?.ackedBy, 'op');
      const journal = await repos.journal.forAlarm('a1');
      assert.deepEqual(
        journal.map((j) => [j.action, j.toState]),
        [
          ['raise', 'unack'],
          ['ack', 'acked'],
        ],
      );
      assert.equal(journal[1].comment, '확인');
      assert.equal('comment' in journal[0], false);

      const summary = await repos.sites.summaries(['suwon', 'osan', 'guri']);
      const bySite = Object.fromEntries(summary.map((s) => [s.siteId, s]));
      assert.deepEqual(
        [bySite.suwon.agents, bySite.suwon.sensors, bySite.suwon.cameras, bySite.suwon.activeAlarms],
        [1, 2, 1, 1],
      );
      assert.deepEqual(
        [bySite.osan.agents, bySite.osan.sensors, bySite.osan.cameras, bySite.osan.activeAlarms],
        [1, 1, 1, 1],
      );
      assert.equal(bySite.guri.sensors, 900);
      assert.equal(summary.length, 3);
    });

    test('users and sessions: create, update, revoke one and all, purge expired', async () => {
      const user = {
        username: 'op1',
        passwordHash: 'scrypt$h',
        role: 'operator' as const,
        sites: ['suwon'],
        phone: null,
        lang: 'ko' as const,
        failedLogins: 0,
        lockedUntil: null,
        tokensValidAfter: 0,
        createdAt: T0,
      };
      assert.equal(await repos.users.create(user), true);
      assert.equal(await repos.users.create(user), false);
      assert.equal(await repos.users.update('op1', { failedLogins: 2, lockedUntil: T0 + 60_000 }), true);
      const u = await repos.users.get('op1');
      assert.equal(u?.failedLogins, 2);
      assert.equal(u?.lockedUntil, T0 + 60_000);
      assert.deepEqual(u?.sites, ['suwon']);
      assert.equal(await repos.users.update('op1', { sites: ['suwon', 'osan'] }), true);
      assert.deepEqual((await repos.users.get('op1'))?.sites, ['suwon', 'osan']);
      // A corrupt grant grants nothing (issue 18: decoded in the store, logged and counted).
      await db.kysely.updateTable('users').set({ sites: '["*"' }).where('username', '=', 'op1').execute();
      assert.deepEqual((await repos.users.get('op1'))?.sites, []);
      await repos.sessions.create({ jti: 'j1', username: 'op1', issuedAt: T0, expiresAt: T0 + 3600_000 });
      await repos.sessions.create({ jti: 'j2', username: 'op1', issuedAt: T0 + 1, expiresAt: T0 + 3600_000 });
      await repos.sessions.create({ jti: 'j3', username: 'op1', issuedAt: T0 + 2, expiresAt: T0 + 10 });
      assert.deepEqual(
        (await repos.sessions.listActive('op1', T0 + 100)).map((s) => s.jti),
        ['j2', 'j1'],
      );
      assert.equal(await repos.sessions.revoke('j1', T0 + 50), true);
      assert.equal(await repos.sessions.revoke('j1', T0 + 60), false);
      assert.equal((await repos.sessions.get('j1'))?.revokedAt, T0 + 50);
      assert.equal(await repos.sessions.revokeAllForUser('op1', T0 + 70), 2);
      assert.equal(await repos.sessions.purgeExpired(T0 + 100), 1);
      assert.equal(await repos.sessions.get('j3'), undefined);
      assert.equal(await repos.users.remove('op1'), true);
      assert.equal(await repos.users.get('op1'), undefined);
    });

    test('audit is append-only and lists newest first with filters', async () => {
      const id1 = await repos.audit.append({
        ts: T0,
        actor: 'admin',
        ip: '10.0.0.1',
        action: 'login',
        target: null,
        detail: null,
      });
      const id2 = await repos.audit.append({
        ts: T0 + 10,
        actor: 'op',
        ip: null,
        action: 'alarm.ack',
        target: 'a1',
        detail: '{}',
      });
      await repos.audit.append({
        ts: T0 + 20,
        actor: 'admin',
        ip: null,
        action: 'agent.create',
        target: 'x',
        detail: null,
      });
      assert.ok(id2 > id1);
      assert.deepEqual(
        (await repos.audit.list()).map((a) => a.action),
        ['agent.create', 'alarm.ack', 'login'],
      );
      assert.deepEqual(
        (await repos.audit.list({ actor: 'admin' })).map((a) => a.action),
        ['agent.create', 'login'],
      );
      assert.deepEqual(
        (await repos.audit.list({ action: 'alarm.ack' })).map((a) => a.target),
        ['a1'],
      );
      assert.deepEqual(
        (await repos.audit.list({ from: T0 + 5, to: T0 + 20 })).map((a) => a.id),
        [id2],
      );
      await assert.rejects(db.kysely.updateTable('audit').set({ actor: 'mallory' }).execute(), /append-only/);
      await assert.rejects(db.kysely.deleteFrom('audit').execute(), /append-only/);
      assert.equal((await repos.audit.list()).length, 3);
    });

    test('settings: set, overwrite, JSON, all, remove', async () => {
      assert.equal(await repos.settings.get('missing'), undefined);
      await repos.settings.set('flood.threshold', '10');
      await repos.settings.set('flood.threshold', '12');
      await repos.settings.setJson('sms', { carrier: 'kannel', retries: 3 });
      assert.equal(await repos.settings.get('flood.threshold'), '12');
      assert.deepEqual(await repos.settings.getJson('sms'), { carrier: 'kannel', retries: 3 });
      assert.deepEqual(Object.keys(await repos.settings.all()), ['flood.threshold', 'sms']);
      assert.equal(await repos.settings.remove('sms'), true);
      assert.equal(await repos.settings.get('sms'), undefined);
    });
  });
}
