/**
 * Issue 23: "confirmed on camera" makes escalation more urgent, through a real Kannel (bearerbox,
 * smsbox, fake SMSC) with an injected clock. A flame alarm confirmed 20 s after it was raised
 * texts the supervisor at once (planned at 60 s) and the safety manager 40 s earlier too; the
 * advance happens once and is journaled; a policy set to 'keep', an acknowledged alarm and an
 * alarm nobody confirmed keep their plan exactly (never suppression, never delay).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Alarm } from '@gwanje/protocol';
import { waitFor } from '../../testkit/index.js';
import { DEFAULT_POLICY } from '../src/policy.js';
import { EscalationService } from '../src/service.js';
import { type Kannel, startKannel } from './kannel-harness.js';
import { gasAlarm, kannelProvider, log, openTestDb, roster, sites, T_MONDAY_10_KST } from './support.js';

const T0 = T_MONDAY_10_KST;
const SUPERVISOR = '01011110002';
const TIER2 = ['01011110003', '01011110004'];

const flameAlarm = (id: string, over: Partial<Alarm> = {}): Alarm =>
  gasAlarm(id, T0, {
    sourceId: 'suwon-flame-1',
    type: 'flame',
    value: 1,
    threshold: 1,
    message: 'flame',
    cameras: ['suwon-cam-1'],
    ...over,
  });
const seen = { cameraId: 'suwon-cam-1', at: T0 + 20_000, score: 0.93 };

describe('escalation brought forward when a detector alarm is confirmed on camera', () => {
  let kannel: Kannel;
  let now = T0;
  const journal: Array<{ alarmId: string; action: string; comment: string }> = [];

  before(async () => {
    kannel = await startKannel({ moUrl: 'http://127.0.0.1:9/unused' });
  });
  after(async () => {
    await kannel?.stop();
  });

  async function service(policy = DEFAULT_POLICY) {
    const db = await openTestDb('sqlite');
    const provider = kannelProvider(kannel);
    const svc = new EscalationService({
      db: db.db,
      providers: [provider],
      log,
      now: () => now,
      ackAlarm: async () => {},
      site: (id) => sites[id],
      isFlood: () => false,
      sensor: () => ({}),
      journal: (alarmId, action, comment) => journal.push({ alarmId, action, comment }),
    });
    await svc.start({ timer: false });
    await svc.setRosters([roster]);
    await svc.setPolicies([policy]);
    return {
      svc,
      async stop() {
        await svc.stop();
        await db.close();
      },
    };
  }

  /** Ticks at `at` and returns the numbers texted by that tick (waits for the fake SMSC). */
  async function tickAt(svc: EscalationService, at: number, expect: number): Promise<string[]> {
    const before = kannel.received().length;
    now = at;
    await svc.tick();
    if (expect === 0) await new Promise((r) => setTimeout(r, 800));
    else await waitFor(() => kannel.received().length >= before + expect, 10_000);
    return kannel
      .received()
      .slice(before)
      .map((m) => m.to)
      .sort();
  }

  it('confirmed 20 s after the raise: the supervisor is texted at once, tier 2 at 140 s; once, journaled', async () => {
    const { svc, stop } = await service();
    now = T0;
    const alarm = flameAlarm('al-cam-1');
    await svc.onAlarm(alarm);
    assert.deepEqual(await tickAt(svc, T0 + 19_000, 0), []);
    now = T0 + 20_000;
    const confirmed = { ...alarm, confirmedOnCamera: seen };
    // The detector's annotation and the journal's own re-announcement arrive together.
    await Promise.all([svc.onAlarm(confirmed), svc.onAlarm(confirmed)]);
    assert.equal(journal.filter((j) => j.alarmId === 'al-cam-1').length, 1, 'advanced once');
    const j = journal.find((x) => x.alarmId === 'al-cam-1');
    assert.equal(j?.action, 'escalation-advanced');
    assert.match(j?.comment ?? '', /suwon-cam-1.*brought forward by 40 s/);
    assert.deepEqual(await tickAt(svc, T0 + 20_000, 1), [SUPERVISOR], 'due now, not at 60 s');
    assert.deepEqual(await tickAt(svc, T0 + 139_000, 0), []);
    assert.deepEqual(await tickAt(svc, T0 + 140_000, 2), TIER2, 'tier 2 40 s earlier than planned');
    // A later change of the same alarm (a comment, a second camera) advances nothing more.
    now = T0 + 150_000;
    await svc.onAlarm({ ...confirmed, confirmedOnCamera: { ...seen, cameraId: 'suwon-cam-2' } });
    assert.deepEqual(await tickAt(svc, T0 + 319_000, 0), [], 'the repeat keeps its new time (320 s)');
    assert.deepEqual(await tickAt(svc, T0 + 320_000, 1), [SUPERVISOR]);
    assert.equal(journal.filter((x) => x.alarmId === 'al-cam-1').length, 1);
    await stop();
  });

  it("a policy set to 'keep', an acknowledged alarm and an unconfirmed one keep their plan", async () => {
    const keep = await service({ ...DEFAULT_POLICY, onCameraConfirmed: 'keep' });
    now = T0;
    await keep.svc.onAlarm(flameAlarm('al-keep'));
    now = T0 + 20_000;
    await keep.svc.onAlarm(flameAlarm('al-keep', { confirmedOnCamera: seen }));
    assert.deepEqual(await tickAt(keep.svc, T0 + 59_000, 0), []);
    assert.deepEqual(await tickAt(keep.svc, T0 + 60_000, 1), [SUPERVISOR]);
    await keep.stop();

    const d = await service();
    now = T0;
    await d.svc.onAlarm(flameAlarm('al-acked'));
    await d.svc.onAlarm(flameAlarm('al-miss'));
    now = T0 + 20_000;
    await d.svc.onAlarm(
      flameAlarm('al-acked', { state: 'acked', ackedAt: T0 + 10_000, ackedBy: 'op', confirmedOnCamera: seen }),
    );
    // al-miss: its camera showed nothing; the alarm is announced again unchanged.
    await d.svc.onAlarm(flameAlarm('al-miss'));
    assert.deepEqual(await tickAt(d.svc, T0 + 59_000, 0), [], 'nothing brought forward');
    assert.deepEqual(await tickAt(d.svc, T0 + 60_000, 1), [SUPERVISOR], 'al-miss at 60 s as planned');
    assert.equal(journal.filter((x) => x.alarmId !== 'al-cam-1').length, 0);
    await d.stop();
  });
});
