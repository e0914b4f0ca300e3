/**
 * Issue 19: escalation with several center instances on one PostgreSQL database and a real Kannel.
 * Each instance is an EscalationService on the shared database; `owns` is its view of the site
 * leases (a lease snapshot, so two views may overlap for a moment: the database decides).
 *
 * - only a site's owner runs its steps; after the owner is "killed" in the middle of a step the
 *   next owner takes the step up (recoverSite) and every step reaches every phone exactly once;
 * - two instances flushing the same flood group at once send one summary, not two;
 * - a notification put back to pending after it was sent is not sent again (send-once row);
 * - a policy saved through one instance is the one the site's next owner runs the chain by.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { waitFor } from '../../testkit/index.js';
import { EscalationService } from '../src/service.js';
import type { EscalationTables } from '../src/store.js';
import { type Kannel, startKannel } from './kannel-harness.js';
import { gasAlarm, kannelProvider, log, openTestDb, roster, sites, T_MONDAY_10_KST, twoTierPolicy } from './support.js';

const T0 = T_MONDAY_10_KST;
type Db = Awaited<ReturnType<typeof openTestDb>>;

describe('escalation across center instances (issue 19)', () => {
  let kannel: Kannel;
  let db: Db;
  let now = T0;
  let flood = false;
  const services: EscalationService[] = [];

  const instance = async (owns: (siteId: string) => boolean): Promise<EscalationService> => {
    const svc = new EscalationService({
      db: db.db,
      providers: [kannelProvider(kannel)],
      log,
      now: () => now,
      ackAlarm: async () => {},
      site: (id) => sites[id],
      isFlood: () => flood,
      sensor: () => ({ gas: 'CH4', unit: '%LEL' }),
      owns,
    });
    await svc.start({ timer: false });
    services.push(svc);
    return svc;
  };

  /** SMS the phones received since `start`, per "to", in order. */
  const received = (start: number) => kannel.received().slice(start);
  const settle = () => new Promise((r) => setTimeout(r, 800));

  before(async () => {
    kannel = await startKannel({ moUrl: 'http://127.0.0.1:9/unused' });
    db = await openTestDb('postgres');
  });
  after(async () => {
    for (const s of services) await s.stop();
    await db?.close();
    await kannel?.stop();
  });

  it('a step the killed owner was running is taken up by the next owner: each step reaches each phone once', async () => {
    const start = kannel.received().length;
    let aOwns = true;
    const a = await instance((site) => site === 'suwon' && aOwns);
    const b = await instance((site) => site === 'suwon' && !aOwns);
    await a.setRosters([roster]);
    await b.setRosters([roster]);
    const alarm = gasAlarm('al-c1', T0);
    await a.onAlarm(alarm);

    now = T0 + 60_000;
    await b.tick(); // not the owner: sends nothing
    await settle();
    assert.equal(received(start).length, 0, 'the non-owner runs no step');
    await a.tick();
    await waitFor(() => received(start).length === 1, 10_000);

    // A is killed while it runs the second step: claimed (running), nothing inserted or sent yet.
    now = T0 + 180_000;
    const tables = db.db as unknown as Kysely<EscalationTables>;
    const steps = await tables.selectFrom('escalation_step').selectAll().where('alarm_id', '=', alarm.id).execute();
    const second = steps.filter((s) => Number(s.due_at) === T0 + 180_000);
    assert.ok(second.length > 0, JSON.stringify(steps));
    for (const s of second)
      await tables.updateTable('escalation_step').set({ status: 'running' }).where('step_id', '=', s.step_id).execute();
    // A is dead from here on: it never ticks again.

    // B takes the site over.
    aOwns = false;
    await b.tick();
    await settle();
    assert.equal(received(start).length, 1, 'a step held by the dead owner is not run before the takeover');
    await b.recoverSite('suwon');
    await b.tick();
    await b.tick();
    await waitFor(() => received(start).length === 3, 10_000);
    await settle();
    const got = received(start).map((m) => m.to);
    assert.deepEqual([...got].sort(), ['01011110002', '01011110003', '01011110004'], 'one text per step and phone');
    const journal = await b.notifications(alarm.id);
    assert.deepEqual(journal.map((n) => n.status).sort(), ['submitted', 'submitted', 'submitted']);
    const sends = await tables.selectFrom('escalation_send').selectAll().where('alarm_id', '=', alarm.id).execute();
    assert.equal(sends.length, 3, 'one send-once row per step and contact');
    await b.onAlarm({ ...alarm, state: 'normal' }); // closed: its repeats are cancelled
  });

  it('two instances flushing one flood group at once send one summary', async () => {
    const start = kannel.received().length;
    const t0 = T0 + 3_600_000;
    // Both believe they own the site (lease snapshots overlapping during a move).
    const a = await instance(() => true);
    const b = await instance(() => true);
    await a.setRosters([roster]);
    flood = true;
    now = t0;
    for (let i = 0; i < 3; i++) await a.onAlarm(gasAlarm(`al-cf-${i}`, t0 + i * 1000, { siteId: 'anyang' }));
    now = t0 + 63_000;
    await a.tick();
    await settle();
    assert.equal(received(start).length, 0, 'held during the grouping window');
    now = t0 + 95_000;
    await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
    await waitFor(() => received(start).length >= 1, 10_000);
    await settle();
    flood = false;
    assert.equal(received(start).length, 1, `one summary: ${JSON.stringify(received(start))}`);
    for (let i = 0; i < 3; i++)
      await a.onAlarm(gasAlarm(`al-cf-${i}`, t0 + i * 1000, { siteId: 'anyang', state: 'normal' }));
  });

  it('a notification put back to pending after it was sent is not sent again', async () => {
    const start = kannel.received().length;
    const t0 = T0 + 7_200_000;
    flood = false;
    const a = await instance(() => true);
    await a.setRosters([roster]);
    now = t0;
    const alarm = gasAlarm('al-c3', t0, { siteId: 'anyang' });
    await a.onAlarm(alarm);
    now = t0 + 60_000;
    await a.tick();
    await waitFor(() => received(start).length === 1, 10_000);
    const tables = db.db as unknown as Kysely<EscalationTables>;
    await tables.updateTable('sms_notification').set({ status: 'pending' }).where('alarm_id', '=', alarm.id).execute();
    await a.tick();
    await settle();
    assert.equal(received(start).length, 1, 'not sent twice');
    const [n] = await a.notifications(alarm.id);
    assert.equal(n.status, 'unknown');
    assert.match(n.error ?? '', /already sent/);
  });

  it('a policy saved through one instance is the one the next owner runs the chain by', async () => {
    const start = kannel.received().length;
    const t0 = T0 + 10_800_000;
    flood = false;
    let aOwns = true;
    const a = await instance((site) => site === 'anyang' && aOwns);
    const b = await instance((site) => site === 'anyang' && !aOwns); // started before the edit
    await a.setRosters([roster]);
    await a.setPolicies([twoTierPolicy('gas-fast', 2, 6)]);
    now = t0;
    const alarm = gasAlarm('al-c4', t0, { siteId: 'anyang' });
    await a.onAlarm(alarm);
    now = t0 + 2_000;
    await a.tick();
    await waitFor(() => received(start).length === 1, 10_000);
    aOwns = false; // A killed; B owns the site
    now = t0 + 6_000;
    await b.tick();
    await waitFor(() => received(start).length === 2, 10_000);
    assert.equal(received(start)[1].to, '01011110003', 'tier 2 of the new policy: the safety manager');
    await b.onAlarm({ ...alarm, state: 'normal' });
  });
});
