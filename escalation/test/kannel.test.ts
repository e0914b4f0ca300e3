/**
 * Escalation end to end through a real Kannel (bearerbox + smsbox + fake SMSC): exact messages
 * at the right tier times (injected clock), a delivery report recorded, an MO "ACK" reply
 * acknowledging the alarm as the roster member, refusal of strangers, a restart between tiers
 * sending each step exactly once, and flood grouping into one summary.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Alarm } from '@gwanje/protocol';
import express from 'express';
import { waitFor } from '../../testkit/index.js';
import { KannelProvider } from '../src/providers/kannel.js';
import { smsCallbackRouter } from '../src/routes.js';
import { EscalationService } from '../src/service.js';
import { type Kannel, startKannel } from './kannel-harness.js';
import { gasAlarm, log, openTestDb, roster, sites, T_MONDAY_10_KST } from './support.js';

const T0 = T_MONDAY_10_KST;
const KEY = 'cb-key-test';

describe('escalation over Kannel', () => {
  let kannel: Kannel;
  let server: ReturnType<express.Express['listen']>;
  let base: string;
  let current: EscalationService | undefined;
  let now = T0;
  let flood = false;
  const acks: Array<{ alarmId: string; actor: string }> = [];
  const audited: Array<{ actor: string; action: string; target: string }> = [];
  const alarms = new Map<string, Alarm>();
  /** The provider of the service instance under test receives the gateway's callbacks. */
  let providerRef: KannelProvider | undefined;
  const use = (p: KannelProvider) => {
    providerRef = p;
  };

  const makeService = (db: Awaited<ReturnType<typeof openTestDb>>['db']) => {
    const provider = new KannelProvider({
      sendsmsUrl: kannel.sendsmsUrl,
      username: kannel.username,
      password: kannel.password,
      from: '1588',
      callbackBase: base,
      callbackKey: KEY,
    });
    const svc: EscalationService = new EscalationService({
      db,
      providers: [provider],
      log,
      now: () => now,
      ackAlarm: async (alarmId, actor) => {
        acks.push({ alarmId, actor });
        const a = alarms.get(alarmId);
        if (a) await svc.onAlarm({ ...a, state: 'acked', ackedAt: now, ackedBy: actor });
      },
      site: (id) => sites[id],
      isFlood: () => flood,
      sensor: () => ({ gas: 'CH4', unit: '%LEL' }),
      // kim is an operator of every site, with the roster's number on record (F16).
      userMayAck: async (username, _siteId, phone) => username === 'kim' && phone === '01011110001',
      audit: async (ev) => {
        audited.push(ev);
      },
    });
    current = svc;
    return { svc, provider };
  };

  before(async () => {
    const app = express();
    app.use(
      smsCallbackRouter({
        get kannel() {
          return providerRef;
        },
      }),
    );
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    kannel = await startKannel({ moUrl: `${base}/api/v1/sms/kannel/mo?key=${KEY}` });
  });
  after(async () => {
    await current?.stop();
    await kannel?.stop();
    server?.close();
  });

  it('sends tier by tier, records the delivery report, and an SMS reply acknowledges the alarm', async () => {
    const db = await openTestDb('sqlite');
    const { svc, provider } = makeService(db.db);
    use(provider);
    await svc.start({ timer: false });
    await svc.setRosters([roster]);
    now = T0;
    const alarm = gasAlarm('al-1', T0);
    alarms.set(alarm.id, alarm);
    await svc.onAlarm(alarm);

    now = T0 + 59_000;
    await svc.tick();
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(kannel.received().length, 0, 'nothing before the 60 s tier');

    now = T0 + 60_000;
    await svc.tick();
    await waitFor(() => kannel.received().length === 1, 10_000);
    const first = kannel.received()[0];
    assert.equal(first.to, '01011110002', 'the day supervisor on duty this week (이반장)');
    const code = /확인 (\d{6})/.exec(first.text)?.[1];
    assert.ok(code, first.text);
    assert.match(first.text, /^\[관제P1\] 수원 가스고 CH4 62%LEL .*10:00 .*확인 \d{6}$/);
    await waitFor(async () => (await svc.notifications('al-1'))[0]?.status === 'delivered', 10_000);
    const n1 = (await svc.notifications('al-1'))[0];
    assert.equal(n1.provider, 'kannel');
    assert.equal(n1.lateness_ms, 0);

    now = T0 + 180_000;
    await svc.tick();
    await waitFor(() => kannel.received().length === 3, 10_000);
    const tier2 = kannel
      .received()
      .slice(1)
      .sort((a, b) => a.to.localeCompare(b.to));
    assert.deepEqual(
      tier2.map((m) => m.to),
      ['01011110003', '01011110004'],
    );
    assert.match(tier2[0].text, /^\[Gwanje P1\] Suwon gas-high CH4 62%LEL .* KST\. Reply ACK \d{6}$/);

    // A stranger's reply is refused and logged; the roster member's reply acknowledges as them.
    await kannel.reply('01099990000', '1588', `ACK ${code}`);
    await waitFor(
      async () =>
        (
          await db.db
            .selectFrom('sms_inbound' as never)
            .selectAll()
            .execute()
        ).length === 1,
      10_000,
    );
    assert.equal(acks.length, 0);
    await kannel.reply('01011110001', '1588', `ACK ${code}`);
    await waitFor(() => acks.length === 1, 10_000);
    assert.deepEqual(acks[0], { alarmId: 'al-1', actor: 'kim' });
    assert.deepEqual(
      audited.map((a) => [a.actor, a.action, a.target]),
      [['kim', 'alarm.ack', 'al-1']],
    );
    const inbound = (await db.db
      .selectFrom('sms_inbound' as never)
      .selectAll()
      .orderBy('ts' as never)
      .execute()) as Array<{ outcome: string }>;
    assert.deepEqual(inbound.map((r) => r.outcome).sort(), ['acked', 'unknown-sender']);

    // Acknowledged: the supervisor's repeat at +360 s is cancelled.
    now = T0 + 400_000;
    await svc.tick();
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(kannel.received().length, 3);
    await svc.stop();
    await db.close();
  });

  for (const kind of ['sqlite', 'postgres'] as const) {
    it(`a restart between tiers sends each step exactly once (${kind})`, async () => {
      const start = kannel.received().length;
      const t0 = T0 + 3_600_000;
      const db1 = await openTestDb(kind);
      const a = makeService(db1.db);
      use(a.provider);
      await a.svc.start({ timer: false });
      await a.svc.setRosters([roster]);
      now = t0;
      const alarm = gasAlarm(`al-r-${kind}`, t0, { siteId: 'anyang' });
      alarms.set(alarm.id, alarm);
      await a.svc.onAlarm(alarm);
      now = t0 + 60_000;
      await a.svc.tick();
      await waitFor(() => kannel.received().length === start + 1, 10_000);
      // "Crash": drop the instance without stop(), open the same database in a new one, 20 s late.
      const db2 = await openTestDb(kind, db1.file);
      const b = makeService(db2.db);
      use(b.provider);
      await b.svc.start({ timer: false });
      now = t0 + 200_000;
      await b.svc.tick();
      await b.svc.tick();
      await waitFor(() => kannel.received().length === start + 3, 10_000);
      await new Promise((r) => setTimeout(r, 800));
      assert.equal(kannel.received().length, start + 3, 'tier 1 not resent, tier 2 sent once');
      const journal = await b.svc.notifications(alarm.id);
      const tier2 = journal.filter((n) => n.tier === 2);
      assert.deepEqual(
        tier2.map((n) => n.lateness_ms),
        [20_000, 20_000],
        'late steps record their lateness',
      );
      await b.svc.stop();
      await db2.close();
      if (kind === 'sqlite') await db1.close();
      else await db1.db.destroy().catch(() => {});
    });
  }

  it('flood mode groups a site into one summary per recipient', async () => {
    const start = kannel.received().length;
    const t0 = T0 + 7_200_000;
    const db = await openTestDb('sqlite');
    const { svc, provider } = makeService(db.db);
    use(provider);
    await svc.start({ timer: false });
    await svc.setRosters([roster]);
    flood = true;
    now = t0;
    for (let i = 0; i < 4; i++) await svc.onAlarm(gasAlarm(`al-f-${i}`, t0 + i * 1000));
    now = t0 + 63_000;
    await svc.tick();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(kannel.received().length, start, 'held during the grouping window');
    now = t0 + 95_000;
    await svc.tick();
    await waitFor(() => kannel.received().length === start + 1, 10_000);
    const summary = kannel.received()[start];
    assert.equal(summary.to, '01011110002');
    assert.match(summary.text, /수원 경보폭주 4건/);
    const rows = (await Promise.all([0, 1, 2, 3].map((i) => svc.notifications(`al-f-${i}`)))).flat();
    assert.equal(new Set(rows.map((r) => r.message_id)).size, 1, 'one message covers all four');
    flood = false;
    await svc.stop();
    await db.close();
  });
});
